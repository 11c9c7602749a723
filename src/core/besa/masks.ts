// Soft and hard masks (docs/besa.md §1.5, SparseLinear.get_prob_mask / get_weight_mask / mask_gen_cuda).
// Logit row g (of G) is shared by the groupSize = rows/G consecutive output rows g·b … g·b+b−1
// (row-wise: G = rows; layer-wise: G = 1). sortIdx is [rows, cols], ascending importance per row.
import { checkLen, type Vec } from '../ops/vec';
import type { SortOrder } from './importance';

export class GroupLayoutError extends Error {
  constructor(rows: number, G: number) {
    super(`masks: ${rows} rows cannot be split into ${G} logit rows; G must divide rows (row-wise G=rows, layer-wise G=1)`);
    this.name = 'GroupLayoutError';
  }
}

export function groupSize(rows: number, G: number): number {
  if (!(G >= 1) || rows % G !== 0) throw new GroupLayoutError(rows, G);
  return rows / G;
}

/**
 * n_g = int(s_g · C) as torch does it: (sparsities * columns).to(long) on float32 values, i.e. the
 * product is rounded to f32 before truncation (the ±1 caveat of docs/besa.md §1.5/§7.2 comes from s_g itself).
 */
export function hardPruneCounts(s: ArrayLike<number> /*[G]*/, cols: number): Int32Array /*[G]*/ {
  const n = new Int32Array(s.length);
  for (let g = 0; g < s.length; g++) n[g] = Math.min(cols, Math.max(0, Math.trunc(Math.fround(Math.fround(s[g]) * cols))));
  return n;
}

/** M_hard[rows,cols]: 0 at sortIdx[r, 0..n_g−1] for the group g of row r, else 1 (mask_gen_forward). */
export function hardMask(n: Int32Array /*[G]*/, sortIdx: SortOrder /*[rows,cols]*/, rows: number, cols: number): Float32Array {
  return writeHardMask(new Float32Array(rows * cols), n, sortIdx, rows, cols);
}

/** hardMask as bytes (1 = keep): BESA's final mask, a quarter of the f32 mask's bytes (docs/real-models.md §2). */
export function hardKeepBits(n: Int32Array /*[G]*/, sortIdx: SortOrder /*[rows,cols]*/, rows: number, cols: number): Uint8Array {
  return writeHardMask(new Uint8Array(rows * cols), n, sortIdx, rows, cols);
}

function writeHardMask<M extends Float32Array | Uint8Array>(m: M, n: Int32Array, sortIdx: SortOrder, rows: number, cols: number): M {
  checkLen('hardMask', 'sortIdx', sortIdx, rows * cols);
  const b = groupSize(rows, n.length);
  m.fill(1);
  for (let r = 0; r < rows; r++) {
    const nr = n[Math.floor(r / b)];
    for (let j = 0; j < nr; j++) m[r * cols + sortIdx[r * cols + j]] = 0;
  }
  return m;
}

/** P_sorted[g, j] = 1 − Σ_d p_{g,d}·[j < k_d]  ( = 1 − p @ prob_map ), f64. */
export function softMaskSorted(p: Vec /*[G,D]*/, kd: Int32Array /*[D]*/, G: number, cols: number): Float64Array /*[G,cols]*/ {
  const D = kd.length;
  checkLen('softMaskSorted', 'p', p, G * D);
  const out = new Float64Array(G * cols);
  const atK = new Float64Array(cols + 1); // p mass of candidates with k_d = k
  for (let g = 0; g < G; g++) {
    atK.fill(0);
    for (let d = 0; d < D; d++) atK[Math.min(cols, Math.max(0, kd[d]))] += p[g * D + d];
    // position j is pruned by every candidate with k_d > j: suffix sum over k = j+1 .. cols
    let mass = 0;
    for (let j = cols - 1; j >= 0; j--) {
      mass += atK[j + 1];
      out[g * cols + j] = 1 - mass;
    }
  }
  return out;
}

/** P[rows,cols]: P_sorted of the row's group, scattered back through the row's sort order. */
export function softMask(
  p: Vec /*[G,D]*/,
  kd: Int32Array /*[D]*/,
  sortIdx: SortOrder /*[rows,cols]*/,
  rows: number,
  cols: number,
  G: number,
): Float32Array /*[rows,cols]*/ {
  checkLen('softMask', 'sortIdx', sortIdx, rows * cols);
  const b = groupSize(rows, G);
  const ps = softMaskSorted(p, kd, G, cols);
  const P = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const g = Math.floor(r / b);
    for (let j = 0; j < cols; j++) P[r * cols + sortIdx[r * cols + j]] = ps[g * cols + j];
  }
  return P;
}
