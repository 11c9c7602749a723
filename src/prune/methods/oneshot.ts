// The one-shot baselines as block steps of the shared pipeline (docs/besa.md §3, §4): every linear of the block
// is pruned from the statistics of ONE dense pass over the pruned-chain inputs (Wanda's prune_wanda /
// prune_sparsegpt: no true-sequential), returning new weight arrays (the dense ones are untouched).
import { blockLinearNames, linearOf, type BlockWeights, type LinearName } from '../../model/spec';
import type { RunConfig } from '../config';
import type { BlockInputStats } from '../blockStats';
import { pruneMagnitude } from './magnitude';
import { pruneSparseGpt } from './sparsegpt';
import { pruneWanda } from './wanda';

export interface OneShotResult {
  weights: Record<LinearName, Float32Array>; // [out, in] pruned copies
  /** SparseGPT: the reference's printed OBS "error" Σ losses per linear. */
  obsLoss?: Partial<Record<LinearName, number>>;
}

/** The N:M string of a structure, or undefined for unstructured. */
export function nmOf(structure: RunConfig['structure']): string | undefined {
  return structure === 'unstructured' ? undefined : structure;
}

/** One linear of a one-shot method: [out, in] pruned copy (+ SparseGPT's OBS loss). The registry picks one per method. */
export type LinearPruner = (
  layer: { w: Float32Array; out: number; in: number },
  name: LinearName,
  stats: BlockInputStats | null,
  cfg: RunConfig,
  nm: string | undefined,
) => { weights: Float32Array; obsLoss?: number };

// With N:M the sparsity must be N/M (validateNM raises NMSparsityMismatchError with the fix otherwise).
export const magnitudeLinear: LinearPruner = (layer, _n, _stats, cfg, nm) =>
  pruneMagnitude(layer, { sparsity: cfg.sparsity, nm, granularity: cfg.magnitudeGranularity });

export const wandaLinear: LinearPruner = (layer, n, stats, cfg, nm) => {
  if (!stats) throw new Error('oneShotBlock: Wanda needs the dense-pass statistics');
  return pruneWanda(layer, stats.scalerRow(n), { sparsity: cfg.sparsity, nm });
};

export const sparseGptLinear: LinearPruner = (layer, n, stats, cfg, nm) => {
  if (!stats) throw new Error('oneShotBlock: SparseGPT needs the dense-pass Hessians');
  const r = pruneSparseGpt(layer, stats.hessian(n), {
    sparsity: cfg.sparsity,
    nm,
    blocksize: cfg.sparsegptBlocksize,
    percdamp: cfg.sparsegptPercdamp,
  });
  return { weights: r.weights, obsLoss: r.totalLoss };
};

export function oneShotBlock(pruneLinear: LinearPruner, block: BlockWeights, stats: BlockInputStats | null, cfg: RunConfig): OneShotResult {
  const nm = nmOf(cfg.structure);
  const weights = {} as Record<LinearName, Float32Array>;
  const obsLoss: Partial<Record<LinearName, number>> = {};
  let hasObs = false;
  for (const n of blockLinearNames(block)) {
    const { w, out, in: inn } = linearOf(block, n);
    const r = pruneLinear({ w, out, in: inn }, n, stats, cfg, nm);
    weights[n] = r.weights;
    if (r.obsLoss !== undefined) [obsLoss[n], hasObs] = [r.obsLoss, true];
  }
  return hasObs ? { weights, obsLoss } : { weights };
}
