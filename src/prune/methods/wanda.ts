// Wanda (docs/besa.md §3; `locuslab/wanda` lib/prune.py:prune_wanda). Score S_ij = |W_ij| · sqrt(scaler_row_j),
// compared PER OUTPUT ROW: each row of W [out, in] zeros its floor(in·s) lowest scores (stable
// ascending sort, ties to the lower column). N:M: per row, in each group of M consecutive input
// columns, the N lowest scores are zeroed. No weight update. Pure: inputs are never modified.

import { type LayerMatrix, type PruneResult, PruneInputError, checkLayer, checkSparsity, maskLowestPerRow } from './magnitude';
import { type NMPattern, applyMask, countPruned, nmMaskFromScores, parseNM, validateNM } from './nm';

export interface WandaOptions {
  /** fraction to zero per row, in [0, 1); with `nm` it must equal N/M or be omitted */
  sparsity?: number;
  /** N:M semi-structured ("2:4", "4:8") */
  nm?: string | NMPattern;
  /** also return the score matrix S [out, in] */
  returnScores?: boolean;
}

export interface WandaResult extends PruneResult {
  /** S = |W| · sqrt(scaler_row), [out, in]; only when returnScores */
  scores?: Float32Array;
}

/**
 * S [out, in] = |W| · sqrt(scaler_row) computed in f32 like the reference
 * (`torch.abs(W) * torch.sqrt(self.scaler_row.reshape((1,-1)))` on f32 tensors), so rankings and
 * ties match a PyTorch run on the same statistic.
 */
export function wandaScores(layer: LayerMatrix, scalerRow: ArrayLike<number>): Float32Array {
  checkLayer(layer, 'wandaScores');
  if (scalerRow.length !== layer.in) {
    throw new PruneInputError(
      `wandaScores: scaler_row has ${scalerRow.length} entries but the layer has in = ${layer.in}; ` +
        `collect WandaStats on this layer's own inputs.`,
    );
  }
  const C = layer.in;
  const norm = new Float32Array(C);
  for (let j = 0; j < C; j++) {
    const v = Math.fround(scalerRow[j]);
    if (!(v >= 0)) throw new PruneInputError(`wandaScores: scaler_row[${j}] = ${scalerRow[j]} must be finite and >= 0.`);
    norm[j] = Math.sqrt(v);
  }
  const s = new Float32Array(layer.w.length);
  for (let r = 0; r < layer.out; r++) {
    const o = r * C;
    for (let j = 0; j < C; j++) s[o + j] = Math.abs(layer.w[o + j]) * norm[j];
  }
  return s;
}

/** Wanda-prune one linear layer from its calibration statistic scaler_row [in]. */
export function pruneWanda(layer: LayerMatrix, scalerRow: ArrayLike<number>, opts: WandaOptions): WandaResult {
  const scores = wandaScores(layer, scalerRow);
  let mask: Uint8Array;
  if (opts.nm !== undefined) {
    const p = parseNM(opts.nm);
    validateNM(p, layer.in, opts.sparsity);
    mask = nmMaskFromScores(scores, layer.out, layer.in, p);
  } else {
    if (opts.sparsity === undefined) throw new PruneInputError('pruneWanda: give `sparsity` (e.g. 0.5) or an `nm` pattern.');
    checkSparsity(opts.sparsity);
    mask = maskLowestPerRow(scores, layer.out, layer.in, opts.sparsity);
  }
  const res: WandaResult = { weights: applyMask(layer.w, mask), mask, pruned: countPruned(mask) };
  if (opts.returnScores) res.scores = scores;
  return res;
}
