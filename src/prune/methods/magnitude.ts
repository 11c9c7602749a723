// Magnitude pruning baseline (docs/besa.md §3, last bullets: Wanda repo `lib/prune.py:prune_magnitude`).
// Score = |W|. Default comparison group is the whole layer (one global threshold per linear),
// optionally per output row; N:M zeros the N smallest |W| in every group of M input columns.
// Pure functions: W is [out, in] row-major (y = x Wᵀ); inputs are never modified.

import { type NMPattern, applyMask, countPruned, nmMaskFromScores, parseNM, validateNM } from './nm';

/** The minimal view of a linear layer these kernels need (a subset of LinearWeights in model/spec.ts). */
export interface LayerMatrix {
  w: Float32Array; // [out, in]
  out: number;
  in: number;
}

/** A weight/statistic array does not match the declared [out, in] shape, or sparsity is out of range. */
export class PruneInputError extends Error {
  override name = 'PruneInputError';
}

export function checkLayer(layer: LayerMatrix, what = 'layer'): void {
  if (!Number.isInteger(layer.out) || !Number.isInteger(layer.in) || layer.out <= 0 || layer.in <= 0) {
    throw new PruneInputError(`${what}: out=${layer.out}, in=${layer.in} must be positive integers.`);
  }
  if (layer.w.length !== layer.out * layer.in) {
    throw new PruneInputError(
      `${what}: w has ${layer.w.length} values but [out, in] = [${layer.out}, ${layer.in}] needs ${layer.out * layer.in}; ` +
        `pass the weight as a row-major [out, in] array (PyTorch/HF layout).`,
    );
  }
}

export function checkSparsity(s: number, what = 'sparsity'): void {
  if (!(s >= 0 && s < 1)) {
    throw new PruneInputError(`${what} = ${s} must be in [0, 1) (fraction of weights to zero, e.g. 0.5).`);
  }
}

/**
 * Mark exactly k entries of scores[offset, offset+len) with the lowest scores as pruned; ties are
 * broken by lower index first, i.e. the first k of a stable ascending sort (torch.sort(stable=True)).
 * Implementation: the k-th smallest value v from a numeric sort, then all < v, then the first
 * (k − #(<v)) entries == v in index order.
 */
export function maskLowestK(scores: ArrayLike<number>, offset: number, len: number, k: number, mask: Uint8Array): void {
  if (k <= 0) return;
  const sorted = new Float64Array(len);
  for (let j = 0; j < len; j++) sorted[j] = scores[offset + j];
  sorted.sort();
  const v = sorted[k - 1];
  let taken = 0;
  for (let j = 0; j < len; j++) {
    if (scores[offset + j] < v) {
      mask[offset + j] = 1;
      taken++;
    }
  }
  for (let j = 0; j < len && taken < k; j++) {
    if (scores[offset + j] === v) {
      mask[offset + j] = 1;
      taken++;
    }
  }
}

/** Per output row: prune floor(in·s) lowest scores of each row of a [rows, cols] matrix (docs/besa.md §3). */
export function maskLowestPerRow(scores: ArrayLike<number>, rows: number, cols: number, sparsity: number): Uint8Array {
  const mask = new Uint8Array(rows * cols);
  const k = Math.floor(cols * sparsity); // python int(in_features * sparsity)
  for (let r = 0; r < rows; r++) maskLowestK(scores, r * cols, cols, k, mask);
  return mask;
}

export interface MagnitudeOptions {
  /** fraction to zero in [0, 1); with `nm` it must equal N/M or be omitted */
  sparsity?: number;
  /** 'layer' (reference default: one threshold over all of W) or 'row' (floor(in·s) per output row) */
  granularity?: 'layer' | 'row';
  /**
   * 'exact' (default): zero exactly floor(numel·s) weights (stable ties by flat index).
   * 'leq': reproduce the reference `W_metric <= sort(|W|)[int(numel·s)]`, which zeros
   * floor(numel·s) + 1 weights (plus any ties with the threshold).
   */
  thresholdRule?: 'exact' | 'leq';
  /** N:M semi-structured ("2:4", "4:8"); overrides granularity */
  nm?: string | NMPattern;
}

export interface PruneResult {
  /** pruned copy of W, [out, in] */
  weights: Float32Array;
  /** [out, in], 1 = pruned */
  mask: Uint8Array;
  /** number of zeroed weights (mask ones) */
  pruned: number;
}

/** Magnitude pruning of one linear layer; returns a pruned copy and the mask. */
export function pruneMagnitude(layer: LayerMatrix, opts: MagnitudeOptions): PruneResult {
  checkLayer(layer, 'pruneMagnitude');
  const { out, in: cols, w } = layer;
  const score = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) score[i] = Math.abs(w[i]);
  let mask: Uint8Array;
  if (opts.nm !== undefined) {
    const p = parseNM(opts.nm);
    validateNM(p, cols, opts.sparsity);
    mask = nmMaskFromScores(score, out, cols, p);
  } else {
    const s = opts.sparsity;
    if (s === undefined) throw new PruneInputError('pruneMagnitude: give `sparsity` (e.g. 0.5) or an `nm` pattern.');
    checkSparsity(s);
    if ((opts.granularity ?? 'layer') === 'row') {
      mask = maskLowestPerRow(score, out, cols, s);
    } else if ((opts.thresholdRule ?? 'exact') === 'exact') {
      mask = new Uint8Array(w.length);
      maskLowestK(score, 0, w.length, Math.floor(w.length * s), mask);
    } else {
      const sorted = Float32Array.from(score).sort();
      const thresh = sorted[Math.floor(w.length * s)];
      mask = new Uint8Array(w.length);
      for (let i = 0; i < w.length; i++) mask[i] = score[i] <= thresh ? 1 : 0;
    }
  }
  return { weights: applyMask(w, mask), mask, pruned: countPruned(mask) };
}
