// Perplexity on the GPU: the docs/besa.md §5 protocol of src/eval/perplexity.ts (same windows, same
// ×seqlen quirk, same result type), but each window's mean CE comes from the GPU's per-token NLL
// (cross_entropy.wgsl over vocabulary chunks), so the [T, V] logits are never read back.
import { evalWindows } from '../data/windows';
import type { GpuModel } from '../gpu/modelWeights';
import { gpuTokenNll } from '../gpu/modelForward';
import type { GpuRuntime } from '../gpu/runtime';
import type { PerplexityOptions, PerplexityResult } from './perplexity';

/** Mean CE over the T−1 predictions of one window, summed in f64 (as windowMeanCe). */
export async function gpuWindowMeanCe(rt: GpuRuntime, model: GpuModel, x: Int32Array, cols?: number): Promise<number> {
  const nll = await gpuTokenNll(rt, model, x, { cols });
  let sum = 0;
  for (let t = 0; t < x.length - 1; t++) sum += nll[t];
  return sum / (x.length - 1);
}

export async function gpuPerplexity(
  rt: GpuRuntime,
  model: GpuModel,
  ids: Int32Array,
  seqlen: number,
  opts: PerplexityOptions & { cols?: number } = { dataset: 'unnamed' },
): Promise<PerplexityResult> {
  const all = evalWindows(ids, seqlen);
  const wins = opts.maxWindows !== undefined ? all.slice(0, Math.max(1, opts.maxWindows)) : all;
  let nllSum = 0;
  const windowLosses: number[] = [];
  for (let w = 0; w < wins.length; w++) {
    const lossW = await gpuWindowMeanCe(rt, model, wins[w], opts.cols);
    windowLosses.push(lossW);
    nllSum += lossW * seqlen; // the ×seqlen quirk (docs/besa.md §5; see src/eval/perplexity.ts)
    opts.onWindow?.(w + 1, wins.length, Math.exp(nllSum / ((w + 1) * seqlen)));
  }
  const meanNll = nllSum / (wins.length * seqlen);
  return {
    ppl: Math.exp(meanNll),
    windows: wins.length,
    seqlen,
    tokens: ids.length,
    dataset: opts.dataset,
    meanNll,
    windowLosses,
    truncated: wins.length < all.length,
  };
}
