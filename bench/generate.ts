// Text generation: N greedy new tokens with the full recompute (every token re-runs the forward over
// the whole context, lastRow(gpuForwardLogits)) vs the KV-cache decoder (src/gpu/decoder.ts: one
// prefill, then one row per token). One timed run each after a short warm-up (pipeline compilation);
// the two must produce the same tokens.
import { generate, lastRow } from '../src/eval/generate';
import { gpuIncrementalDecoder } from '../src/gpu/decoder';
import { gpuForwardLogits } from '../src/gpu/modelForward';
import { destroyModel, uploadModel } from '../src/gpu/modelWeights';
import type { GpuRuntime } from '../src/gpu/runtime';
import { loadModel } from '../src/model/loader';
import { nodeDirSource } from '../src/model/sourceNode';
import { printTable } from './util';

const PROMPT = 'Mr. Speaker, Mr. Vice President, members of Congress, my fellow Americans: tonight';

export async function benchGenerate(rt: GpuRuntime, modelDir: string, newTokens: number): Promise<void> {
  const model = await loadModel(nodeDirSource(modelDir));
  const { spec } = model;
  const prompt = model.tokenizer.encode(PROMPT);
  console.log(
    `\n## Generate (${model.name}: ${spec.nLayers} layers, d=${spec.dim}; prompt ${prompt.length} tokens, ${newTokens} new, greedy)\n`,
  );
  const g = uploadModel(rt, spec, model.weights);
  const full = lastRow(gpuForwardLogits(rt, g), spec.vocabSize);
  const opts = { maxNewTokens: newTokens, contextLength: spec.maxSeqLen };
  const warm = gpuIncrementalDecoder(rt, g);
  await generate(warm, prompt, { ...opts, maxNewTokens: 2 });
  warm.dispose();
  await generate(full, prompt, { ...opts, maxNewTokens: 2 });

  let t0 = performance.now();
  const refIds = await generate(full, prompt, opts);
  const fullMs = performance.now() - t0;
  const dec = gpuIncrementalDecoder(rt, g);
  t0 = performance.now();
  const ids = await generate(dec, prompt, opts);
  const decMs = performance.now() - t0;
  const { prefills, steps } = dec.stats;
  dec.dispose();
  destroyModel(rt, g);
  const same = ids.length === refIds.length && ids.every((t, i) => t === refIds[i]);
  printTable(
    ['path', 'total ms', 'ms / token', 'forwards'],
    [
      [
        'full recompute',
        fullMs.toFixed(0),
        (fullMs / refIds.length).toFixed(1),
        `${refIds.length} × T=${prompt.length}..${prompt.length + refIds.length - 1}`,
      ],
      ['KV cache', decMs.toFixed(0), (decMs / ids.length).toFixed(1), `${prefills} prefill + ${steps} one-row steps`],
    ],
  );
  console.log(`\nspeed-up ${(fullMs / decMs).toFixed(2)}×; same tokens: ${same ? 'yes' : 'NO'}`);
  if (!same) throw new Error('generate bench: the KV-cache decoder produced different tokens from the full recompute');
}
