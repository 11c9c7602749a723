// The WebGPU engine parts of a job, shared by the browser Worker and the Node CLI (browser-safe: no
// Node imports). Given a GpuRuntime (browser: new GpuRuntime(await acquireDevice()); Node:
// new GpuRuntime(await acquireNodeDevice())), it returns what runPruneJob takes: a block executor and
// a GPU logits function for perplexity (one uploaded model at a time, the previous one is freed), and a
// KV-cache decoder for text generation on the same uploaded model.
import { destroyModel, uploadModel, type GpuModel } from '../gpu/modelWeights';
import { gpuIncrementalDecoder, type GpuDecoder } from '../gpu/decoder';
import { gpuForwardLogits } from '../gpu/modelForward';
import { gpuStreamedWindowLosses } from '../gpu/streamedEval';
import type { GpuRuntime } from '../gpu/runtime';
import type { ForwardLogits } from '../model/forward';
import type { ModelSpec, StoredWeights } from '../model/spec';
import type { BlockExecutor } from './executor';
import { GpuBlockExecutor } from './gpuExecutor';

/** What runPruneJob and the compare job take from an engine (WebGPU here; WASM: createWasmEngine). */
export interface JobEngine {
  executor: BlockExecutor;
  forwardFactory: (spec: ModelSpec, weights: StoredWeights) => ForwardLogits;
  /**
   * Next-token logits with a KV cache for one generation (src/gpu/decoder.ts). Uploads the weights
   * like forwardFactory (freeing the previous upload), so dispose() the decoder before the next call.
   * Optional: the WASM and CPU engines have none (generation then runs the full forward).
   */
  decoderFactory?: (spec: ModelSpec, weights: StoredWeights) => GpuDecoder;
  /** A fresh executor on the same device (compare: one per method). */
  newExecutor: () => BlockExecutor;
  /** Free the evaluation model and the executor's buffers. */
  dispose: () => void;
}

export type GpuEngine = JobEngine;

export function createGpuEngine(rt: GpuRuntime, spec: ModelSpec): GpuEngine {
  let live: GpuModel | null = null;
  const executor = new GpuBlockExecutor(rt, spec);
  const upload = (s: ModelSpec, w: StoredWeights): GpuModel => {
    if (live) destroyModel(rt, live);
    live = uploadModel(rt, s, w);
    return live;
  };
  return {
    executor,
    forwardFactory: (s, w) => {
      // The whole model is uploaded only if logits are asked for; perplexity streams it block by block.
      let mine: GpuModel | null = null;
      const f: ForwardLogits = (ids) => {
        if (!mine || live !== mine) mine = upload(s, w);
        return gpuForwardLogits(rt, mine)(ids);
      };
      f.windowLosses = (windows, onWindow) => {
        if (live) destroyModel(rt, live); // free a full upload first: the streamed pass needs one block at a time
        live = null;
        return gpuStreamedWindowLosses(rt, s, w, windows, { onWindow });
      };
      return f;
    },
    decoderFactory: (s, w) => gpuIncrementalDecoder(rt, upload(s, w)),
    newExecutor: () => new GpuBlockExecutor(rt, spec),
    dispose: () => {
      if (live) destroyModel(rt, live);
      live = null;
      executor.dispose();
    },
  };
}
