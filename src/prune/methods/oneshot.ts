// The one-shot baselines as block steps of the shared pipeline (spec §3, §4): every linear of the block
// is pruned from the statistics of ONE dense pass over the pruned-chain inputs (Wanda's prune_wanda /
// prune_sparsegpt: no true-sequential), returning new weight arrays (the dense ones are untouched).
import { LINEAR_NAMES, type BlockWeights, type LinearName } from '../../model/spec';
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

/** The methods pruned in one shot per block (the registry maps each to oneShotPipelineStep). */
export type OneShotMethod = 'wanda' | 'magnitude' | 'sparsegpt';

export function oneShotBlock(method: OneShotMethod, block: BlockWeights, stats: BlockInputStats | null, cfg: RunConfig): OneShotResult {
  const nm = nmOf(cfg.structure);
  // With N:M the sparsity must be N/M (validateNM raises NMSparsityMismatchError with the fix otherwise).
  const sparsity = cfg.sparsity;
  const weights = {} as Record<LinearName, Float32Array>;
  const obsLoss: Partial<Record<LinearName, number>> = {};
  for (const n of LINEAR_NAMES) {
    const layer = { w: block[n].w, out: block[n].out, in: block[n].in };
    if (method === 'magnitude') {
      weights[n] = pruneMagnitude(layer, { sparsity, nm, granularity: cfg.magnitudeGranularity }).weights;
    } else if (method === 'wanda') {
      if (!stats) throw new Error('oneShotBlock: Wanda needs the dense-pass statistics');
      weights[n] = pruneWanda(layer, stats.scalerRow(n), { sparsity, nm }).weights;
    } else {
      if (!stats) throw new Error('oneShotBlock: SparseGPT needs the dense-pass Hessians');
      const r = pruneSparseGpt(layer, stats.hessian(n), { sparsity, nm, blocksize: cfg.sparsegptBlocksize, percdamp: cfg.sparsegptPercdamp });
      weights[n] = r.weights;
      obsLoss[n] = r.totalLoss;
    }
  }
  return method === 'sparsegpt' ? { weights, obsLoss } : { weights };
}
