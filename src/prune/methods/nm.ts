// N:M semi-structured sparsity helpers shared by magnitude, Wanda and SparseGPT (docs/besa.md §3, §4).
// Convention of the reference repos: "2:4" means N = 2 ZEROS in every group of M = 4 consecutive
// INPUT columns of each output row (W is [out, in]); so the implied sparsity is N/M.
// Masks everywhere in prune/methods are Uint8Array [out, in] with 1 = pruned (zeroed), like the
// reference `W_mask` (Wanda) and `mask1` (SparseGPT).

export interface NMPattern {
  /** zeros per group */
  n: number;
  /** group size (consecutive input columns) */
  m: number;
}

/** The N:M string is not of the form "N:M" with 0 < N < M. */
export class NMPatternError extends Error {
  override name = 'NMPatternError';
}

/** in-features is not a multiple of M, so the groups of M columns do not tile a row. */
export class NMDivisibilityError extends Error {
  override name = 'NMDivisibilityError';
}

/** The requested sparsity disagrees with N/M (the reference asserts sparsity == N/M, e.g. 0.5 for 2:4). */
export class NMSparsityMismatchError extends Error {
  override name = 'NMSparsityMismatchError';
}

/** Parse "2:4" / "4:8" (or pass an NMPattern through) and check 0 < N < M. */
export function parseNM(p: string | NMPattern): NMPattern {
  let n: number;
  let m: number;
  if (typeof p === 'string') {
    const match = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(p);
    if (!match) {
      throw new NMPatternError(`N:M pattern "${p}" is not of the form "N:M" (e.g. "2:4" or "4:8"); write two integers separated by ':'.`);
    }
    n = Number(match[1]);
    m = Number(match[2]);
  } else {
    n = p.n;
    m = p.m;
  }
  if (!Number.isInteger(n) || !Number.isInteger(m) || n <= 0 || m <= 0 || n >= m) {
    throw new NMPatternError(`N:M pattern ${n}:${m} is invalid: need integers with 0 < N < M (N zeros out of every M), e.g. 2:4 or 4:8.`);
  }
  return { n, m };
}

/**
 * Check that an N:M pattern can be applied to a layer with `inFeatures` input columns and, when a
 * sparsity is also requested, that it equals N/M (Wanda's main.py asserts sparsity_ratio == 0.5 for 2:4/4:8).
 */
export function validateNM(p: NMPattern, inFeatures: number, sparsity?: number): void {
  if (inFeatures % p.m !== 0) {
    throw new NMDivisibilityError(
      `N:M ${p.n}:${p.m} needs in-features divisible by ${p.m}, but this layer has in = ${inFeatures} ` +
        `(${inFeatures} % ${p.m} = ${inFeatures % p.m}). Use unstructured sparsity for this layer, ` +
        `or a pattern whose M divides ${inFeatures}.`,
    );
  }
  if (sparsity !== undefined && Math.abs(sparsity - p.n / p.m) > 1e-9) {
    throw new NMSparsityMismatchError(
      `N:M ${p.n}:${p.m} prunes exactly ${p.n}/${p.m} = ${p.n / p.m} of the weights, but sparsity ${sparsity} ` +
        `was requested. Set sparsity to ${p.n / p.m} or omit it, or use unstructured pruning for other ratios.`,
    );
  }
}

/**
 * In one group [col0, col0 + m) of row `row` of a row-major [rows, cols] score matrix, mark the n
 * smallest scores as pruned (mask = 1). Ties go to the lower column index (stable), which is what
 * a stable ascending sort does; torch.topk(largest=False) does not promise any tie order.
 * Returns nothing; writes `mask` in place. Selection by repeated minimum: n < m <= 8 in practice.
 */
export function pruneSmallestInGroup(
  scores: ArrayLike<number>,
  cols: number,
  row: number,
  col0: number,
  m: number,
  n: number,
  mask: Uint8Array,
): void {
  const base = row * cols + col0;
  for (let k = 0; k < n; k++) {
    let best = -1;
    let bestVal = Infinity;
    for (let j = 0; j < m; j++) {
      if (mask[base + j]) continue;
      const v = scores[base + j];
      // strict '<' keeps the first (lowest-index) of equal values; NaN never wins unless all are NaN
      if (best < 0 || v < bestVal) {
        best = j;
        bestVal = v;
      }
    }
    mask[base + best] = 1;
  }
}

/**
 * N:M mask from a [rows, cols] score matrix: per row, in every group of M consecutive columns, the
 * N lowest scores are pruned (Wanda/magnitude `topk(W_metric[:, ii:ii+M], N, largest=False)`).
 * Returns a new Uint8Array [rows, cols], 1 = pruned.
 */
export function nmMaskFromScores(scores: ArrayLike<number>, rows: number, cols: number, pattern: NMPattern): Uint8Array {
  validateNM(pattern, cols);
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c0 = 0; c0 < cols; c0 += pattern.m) pruneSmallestInGroup(scores, cols, r, c0, pattern.m, pattern.n, mask);
  }
  return mask;
}

/** Zero the pruned entries: returns a new Float32Array w ⊙ (1 − mask). */
export function applyMask(w: Float32Array, mask: Uint8Array): Float32Array {
  const out = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = mask[i] ? 0 : w[i];
  return out;
}

/** Number of pruned entries in a mask. */
export function countPruned(mask: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < mask.length; i++) c += mask[i];
  return c;
}
