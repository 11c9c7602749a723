// Small dense f64 linear algebra for SparseGPT (docs/besa.md §4): Cholesky, triangular inverse,
// cholesky_inverse and the upper Cholesky factor of H⁻¹. All matrices are row-major [n, n]
// Float64Array. Sizes are one layer's in-features (≤ a few thousand), so O(n³) on the CPU in f64 is
// acceptable (n = 688: ~0.2 G multiply-adds in total) and avoids the f32 "not positive-definite"
// failures reported upstream (sparsegpt#26).

export interface CholeskyFailure {
  ok: false;
  /** pivot index where the factorisation stopped */
  index: number;
  /** the offending pivot value (≤ tolerance, or NaN) */
  pivot: number;
}

/**
 * Lower Cholesky factor L with A = L Lᵀ (A symmetric; only its lower triangle is read).
 * Fails (no throw) when a pivot is ≤ relTol · max|diag A| or NaN. LAPACK's potrf fails only at
 * pivot ≤ 0; the relative floor also catches exactly-singular matrices whose pivots rounding leaves
 * at ±1e-17 instead of 0, which would otherwise give a garbage inverse.
 */
export function choleskyLower(
  a: Float64Array,
  n: number,
  relTol = n * 2.220446049250313e-16,
): { ok: true; L: Float64Array } | CholeskyFailure {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]));
  const tol = relTol * maxDiag;
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const oj = j * n;
    let d = a[oj + j];
    for (let k = 0; k < j; k++) d -= L[oj + k] * L[oj + k];
    if (!(d > tol)) return { ok: false, index: j, pivot: d };
    const ljj = Math.sqrt(d);
    L[oj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < n; i++) {
      const oi = i * n;
      let s = a[oi + j];
      for (let k = 0; k < j; k++) s -= L[oi + k] * L[oj + k];
      L[oi + j] = s * inv;
    }
  }
  return { ok: true, L };
}

/** X = L⁻¹ for lower-triangular L (row i of X = −(1/L_ii) Σ_{k<i} L_ik X_k, plus 1/L_ii on the diagonal). */
export function invertLower(L: Float64Array, n: number): Float64Array {
  const X = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let k = 0; k < i; k++) {
      const c = L[oi + k];
      if (c === 0) continue;
      const ok = k * n;
      for (let j = 0; j <= k; j++) X[oi + j] += c * X[ok + j];
    }
    const inv = 1 / L[oi + i];
    for (let j = 0; j < i; j++) X[oi + j] *= -inv;
    X[oi + i] = inv;
  }
  return X;
}

/** torch.cholesky_inverse: A⁻¹ = (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹ from the lower factor L; full symmetric result. */
export function choleskyInverse(L: Float64Array, n: number): Float64Array {
  const X = invertLower(L, n);
  const A = new Float64Array(n * n);
  // A[a, b] = Σ_{k ≥ max(a,b)} X[k, a] X[k, b]; accumulate the upper triangle row by row of X.
  for (let k = 0; k < n; k++) {
    const ok = k * n;
    for (let p = 0; p <= k; p++) {
      const xp = X[ok + p];
      if (xp === 0) continue;
      const op = p * n;
      for (let q = p; q <= k; q++) A[op + q] += xp * X[ok + q];
    }
  }
  for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) A[q * n + p] = A[p * n + q];
  return A;
}

/** C [m, n] = A [m, k] · B [k, n], f64 (the default CPU matmul of SparseGPT's lazy update). */
export function matmulF64(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const oc = i * n;
    const oa = i * k;
    for (let p = 0; p < k; p++) {
      const v = a[oa + p];
      if (v === 0) continue;
      const ob = p * n;
      for (let j = 0; j < n; j++) c[oc + j] += v * b[ob + j];
    }
  }
  return c;
}
