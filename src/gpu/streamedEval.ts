// Perplexity on the GPU with the model streamed block by block (issue #11, docs/real-models.md §3): the
// windows go through the model layer by layer instead of one by one, so only ONE block's weights are on the
// device at a time (uploaded, widened to f32, used by every window of a chunk, freed), next to the embedding /
// LM head tables and the windows' residual streams. A 0.5B model's 24 blocks in f32 (1.4 GB) never sit on the
// device together. Each window's mean CE comes from the on-device per-token NLL (cross_entropy.wgsl): the
// [T, V] logits are never read back. Same numbers as gpuWindowMeanCe up to f32 summation order.
import type { ModelSpec, StoredWeights } from '../model/spec';
import { embeddingGather } from './kernels/embedding';
import { lmHeadNll } from './kernels/lmHead';
import { NO_TARGET } from './kernels/crossEntropy';
import { addPositions, finalNormForward, uploadFinalNorm, uploadPositions } from './modelEnds';
import { checkIds, createBlockWorkspace, destroyBlockWorkspace, gpuBlockForward } from './modelForward';
import { destroyBlockWeights, uploadBlockWeights } from './modelWeights';
import type { GpuRuntime } from './runtime';
import { destroyVocabTable, uploadVocabTable } from './vocabTable';

/** Residual streams held at once: windows per chunk = this / (T·C·4 bytes), at least one. */
export const STREAM_ACTIVATION_BUDGET = 64 * 2 ** 20;

export interface StreamedEvalOptions {
  /** Called after each window with its mean CE, in order. */
  onWindow?: (done: number, lossW: number) => void;
  budgetBytes?: number;
  /** Vocabulary columns per LM-head step (lmHeadNll). */
  cols?: number;
}

/** Mean next-token CE of each window (all of length T), the model uploaded one block at a time. */
export async function gpuStreamedWindowLosses(
  rt: GpuRuntime,
  spec: ModelSpec,
  weights: StoredWeights,
  windows: readonly Int32Array[],
  opts: StreamedEvalOptions = {},
): Promise<number[]> {
  if (windows.length === 0) return [];
  const T = windows[0].length;
  const C = spec.dim;
  for (const w of windows) checkIds(spec, w);
  const embed = uploadVocabTable(rt, weights.embed, spec.vocabSize, C, 'embed');
  const head = weights.lmHead === weights.embed ? embed : uploadVocabTable(rt, weights.lmHead, spec.vocabSize, C, 'lmHead');
  const finalNorm = uploadFinalNorm(rt, spec, weights);
  const pos = uploadPositions(rt, weights);
  const ws = createBlockWorkspace(rt, spec, T);
  const perChunk = Math.max(1, Math.floor((opts.budgetBytes ?? STREAM_ACTIVATION_BUDGET) / (T * C * 4)));
  const losses: number[] = [];
  try {
    for (let c0 = 0; c0 < windows.length; c0 += perChunk) {
      const chunk = windows.slice(c0, c0 + perChunk);
      // x_w [T, C]: each window's residual stream, carried through every block
      const xs = chunk.map((ids) => {
        const g = rt.upload(Uint32Array.from(ids), 'stream.ids');
        const x = embeddingGather(rt, g, embed, T);
        addPositions(rt, spec, pos, x, T);
        rt.flush();
        rt.destroy(g);
        return x;
      });
      for (let i = 0; i < weights.blocks.length; i++) {
        const block = uploadBlockWeights(rt, weights.blocks[i], i);
        for (const x of xs) gpuBlockForward(rt, spec, block, x, T, ws);
        destroyBlockWeights(rt, block); // flushes first: the forwards above are submitted
      }
      for (let j = 0; j < chunk.length; j++) {
        const ids = chunk[j];
        const y = rt.createBuffer(T * C * 4, 'stream.final');
        finalNormForward(rt, spec, finalNorm, xs[j], y, ws, T);
        const tg = new Uint32Array(T);
        for (let t = 0; t < T - 1; t++) tg[t] = ids[t + 1];
        tg[T - 1] = NO_TARGET;
        const gT = rt.upload(tg, 'stream.targets');
        const { nll, state } = lmHeadNll(rt, y, head, gT, T, { cols: opts.cols });
        const v = await rt.read(nll, T * 4);
        rt.destroy(y, gT, nll, state, xs[j]);
        let sum = 0; // f64, as windowMeanCe
        for (let t = 0; t < T - 1; t++) sum += v[t];
        losses.push(sum / (T - 1));
        opts.onWindow?.(losses.length, losses[losses.length - 1]);
      }
    }
  } finally {
    destroyBlockWorkspace(rt, ws);
    rt.destroy(finalNorm.w, finalNorm.b, pos);
    destroyVocabTable(rt, embed);
    if (head !== embed) destroyVocabTable(rt, head);
  }
  return losses;
}
