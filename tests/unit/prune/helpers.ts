// Shared test data for tests/unit/prune: seeded layers and correlated calibration inputs.
import { Rng } from '../../../src/core/rng';

/**
 * Correlated calibration inputs X [nSeq·T, C]: a rank-k latent mix plus small noise, with a few
 * high-magnitude "outlier" features (as in LLM activations), so that ‖X_j‖ varies across columns
 * and XᵀX is far from diagonal. Returns one Float32Array per sequence.
 */
export function correlatedInputs(rng: Rng, nSeq: number, T: number, C: number, k = 8): Float32Array[] {
  const mix = rng.normalArray(k * C, 1 / Math.sqrt(k)); // [k, C]
  const scale = new Float64Array(C);
  for (let j = 0; j < C; j++) scale[j] = 0.5 + rng.next() * (j % 37 === 0 ? 8 : 1);
  const seqs: Float32Array[] = [];
  for (let s = 0; s < nSeq; s++) {
    const x = new Float32Array(T * C);
    for (let t = 0; t < T; t++) {
      const z = rng.normalArray(k);
      for (let j = 0; j < C; j++) {
        let v = 0.1 * rng.normal();
        for (let p = 0; p < k; p++) v += z[p] * mix[p * C + j];
        x[t * C + j] = v * scale[j];
      }
    }
    seqs.push(x);
  }
  return seqs;
}

/** Y = X Wᵀ error ‖X Wᵀ − X Ŵᵀ‖_F² summed over sequences (f64). W, Ŵ: [out, in]; X: [T, in]. */
export function reconstructionError(seqs: Float32Array[], w: Float32Array, wh: Float32Array, out: number, C: number): number {
  const dw = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) dw[i] = w[i] - wh[i];
  let e = 0;
  for (const x of seqs) {
    const T = x.length / C;
    for (let t = 0; t < T; t++) {
      for (let r = 0; r < out; r++) {
        let acc = 0;
        for (let j = 0; j < C; j++) acc += x[t * C + j] * dw[r * C + j];
        e += acc * acc;
      }
    }
  }
  return e;
}

/** Zeros per row of a [rows, cols] mask (1 = pruned). */
export function zerosPerRow(mask: Uint8Array, rows: number, cols: number): number[] {
  const z: number[] = [];
  for (let r = 0; r < rows; r++) {
    let c = 0;
    for (let j = 0; j < cols; j++) c += mask[r * cols + j];
    z.push(c);
  }
  return z;
}

/** True iff every row has exactly n ones in every group of m consecutive columns. */
export function isExactNM(mask: Uint8Array, rows: number, cols: number, n: number, m: number): boolean {
  for (let r = 0; r < rows; r++) {
    for (let c0 = 0; c0 < cols; c0 += m) {
      let c = 0;
      for (let j = 0; j < m; j++) c += mask[r * cols + c0 + j];
      if (c !== n) return false;
    }
  }
  return true;
}
