// Calibration statistics of one linear layer, fed with its inputs X [T, in] one sequence (or a
// batch of B sequences) at a time, exactly in the order of the reference hooks:
//   Wanda     `WrappedGPT.add_batch` (docs/besa.md §3):  scaler_row = (1/N_seq) Σ_tokens x_j²
//   SparseGPT `SparseGPT.add_batch`  (docs/besa.md §4):  H = (2/N_seq) Σ_tokens x xᵀ
// Both use the reference's running rescale (stat *= n/(n+B); n += B; stat += new/n) so partial
// results are always the mean over the sequences seen so far. Accumulation is in f64 (the
// reference uses f32; f64 only removes rounding noise, the statistic is the same).

import { PruneInputError } from './magnitude';

function checkBatch(x: ArrayLike<number>, inFeatures: number, nSeq: number, what: string): number {
  if (!Number.isInteger(nSeq) || nSeq <= 0) throw new PruneInputError(`${what}: nSeq = ${nSeq} must be a positive integer.`);
  if (x.length === 0 || x.length % inFeatures !== 0) {
    throw new PruneInputError(
      `${what}: input has ${x.length} values, not a non-empty multiple of in = ${inFeatures}; pass X as row-major [tokens, in].`,
    );
  }
  return x.length / inFeatures; // tokens in this batch (B·T)
}

/** Wanda's per-input-feature statistic (`scaler_row`), [in]. */
export class WandaStats {
  readonly inFeatures: number;
  /** [in] running (1/N_seq) Σ x_j² */
  readonly scalerRow: Float64Array;
  /** sequences seen (the reference's `nsamples`) */
  nsamples = 0;

  constructor(inFeatures: number) {
    this.inFeatures = inFeatures;
    this.scalerRow = new Float64Array(inFeatures);
  }

  /** x: [nSeq·T, in] row-major, the inputs of `nSeq` sequences (reference: B = inp.shape[0]). */
  addBatch(x: ArrayLike<number>, nSeq = 1): void {
    const C = this.inFeatures;
    const tokens = checkBatch(x, C, nSeq, 'WandaStats.addBatch');
    const s = this.scalerRow;
    const scale = this.nsamples / (this.nsamples + nSeq);
    this.nsamples += nSeq;
    const inv = 1 / this.nsamples;
    const sq = new Float64Array(C);
    for (let t = 0; t < tokens; t++) {
      const o = t * C;
      for (let j = 0; j < C; j++) {
        const v = x[o + j];
        sq[j] += v * v;
      }
    }
    for (let j = 0; j < C; j++) s[j] = s[j] * scale + sq[j] * inv;
  }

  /** sqrt(scaler_row), [in]: the column norms ||X_j||₂ up to the constant 1/sqrt(N_seq). */
  columnNorms(): Float64Array {
    const r = new Float64Array(this.inFeatures);
    for (let j = 0; j < this.inFeatures; j++) r[j] = Math.sqrt(this.scalerRow[j]);
    return r;
  }
}

/**
 * SparseGPT's layer Hessian H = (2/N_seq) Σ XᵀX, [in, in] in f64. Only the upper triangle is
 * accumulated (half the work; down_proj at in = 688, T = 256 costs ~61 M multiply-adds per sequence);
 * `hessian()` returns the full symmetric matrix.
 */
export class HessianStats {
  readonly inFeatures: number;
  /** [in, in], upper triangle valid (j >= i); use hessian() for the full matrix */
  private readonly upper: Float64Array;
  /** sequences seen (the reference's `nsamples`) */
  nsamples = 0;

  constructor(inFeatures: number) {
    this.inFeatures = inFeatures;
    this.upper = new Float64Array(inFeatures * inFeatures);
  }

  /** x: [nSeq·T, in] row-major, the inputs of `nSeq` sequences. */
  addBatch(x: ArrayLike<number>, nSeq = 1): void {
    const C = this.inFeatures;
    const T = checkBatch(x, C, nSeq, 'HessianStats.addBatch');
    const scale = this.nsamples / (this.nsamples + nSeq);
    this.nsamples += nSeq;
    const f = 2 / this.nsamples; // (sqrt(2/n) X)ᵀ (sqrt(2/n) X)
    // Xt [in, T]: feature-major so every H entry is one contiguous dot product over tokens.
    const xt = new Float64Array(C * T);
    for (let t = 0; t < T; t++) for (let j = 0; j < C; j++) xt[j * T + t] = x[t * C + j];
    const H = this.upper;
    // 2×2 register blocking over (i, j): each loaded x value feeds two products (≈2× faster in V8).
    for (let i = 0; i < C; i += 2) {
      const i1 = Math.min(i + 1, C - 1); // odd C: the last pair repeats row C-1 (result discarded)
      const oi = i * T;
      const oi1 = i1 * T;
      for (let j = i; j < C; j += 2) {
        const j1 = Math.min(j + 1, C - 1);
        const oj = j * T;
        const oj1 = j1 * T;
        let a00 = 0;
        let a01 = 0;
        let a10 = 0;
        let a11 = 0;
        for (let t = 0; t < T; t++) {
          const xi = xt[oi + t];
          const xi1 = xt[oi1 + t];
          const xj = xt[oj + t];
          const xj1 = xt[oj1 + t];
          a00 += xi * xj;
          a01 += xi * xj1;
          a10 += xi1 * xj;
          a11 += xi1 * xj1;
        }
        H[i * C + j] = H[i * C + j] * scale + f * a00;
        if (j + 1 < C) H[i * C + j + 1] = H[i * C + j + 1] * scale + f * a01;
        if (i + 1 < C) {
          // (i+1, j) lies in the upper triangle only when j > i; (i+1, j+1) always does (when in range)
          if (j > i) H[(i + 1) * C + j] = H[(i + 1) * C + j] * scale + f * a10;
          if (j + 1 < C) H[(i + 1) * C + j + 1] = H[(i + 1) * C + j + 1] * scale + f * a11;
        }
      }
    }
  }

  /** The full symmetric H, [in, in] (a fresh copy; safe to modify). */
  hessian(): Float64Array {
    const C = this.inFeatures;
    const h = new Float64Array(C * C);
    for (let i = 0; i < C; i++) {
      for (let j = i; j < C; j++) {
        const v = this.upper[i * C + j];
        h[i * C + j] = v;
        h[j * C + i] = v;
      }
    }
    return h;
  }
}
