import { describe, expect, it } from 'vitest';
import { choleskyInverse, choleskyLower, invertLower, matmulF64 } from '../../../src/prune/methods/linalg64';
import { Rng } from '../../../src/core/rng';
import { expectClose } from '../../support/close';

describe('f64 Cholesky helpers', () => {
  const rng = new Rng(77);
  const n = 45;
  const m = 60;
  const G = Float64Array.from(rng.normalArray(m * n)); // [m, n]
  const Gt = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) Gt[j * m + i] = G[i * n + j];
  const A = matmulF64(Gt, G, n, m, n); // SPD
  for (let i = 0; i < n; i++) A[i * n + i] += 0.5;
  const eye = Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));

  it('L Lᵀ = A, L⁻¹ L = I, cholesky_inverse(L) · A = I', () => {
    const c = choleskyLower(A, n);
    if (!c.ok) throw new Error('expected SPD');
    const Lt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Lt[j * n + i] = c.L[i * n + j];
    expectClose(matmulF64(c.L, Lt, n, n, n), A, { atol: 1e-10, rtol: 1e-12 });
    expectClose(matmulF64(invertLower(c.L, n), c.L, n, n, n), eye, { atol: 1e-12, rtol: 0 });
    expectClose(matmulF64(choleskyInverse(c.L, n), A, n, n, n), eye, { atol: 1e-10, rtol: 0 });
  });

  it('reports (does not throw) a non-positive-definite matrix and where it failed', () => {
    const B = Float64Array.from(A);
    B[3 * n + 3] = -1;
    const c = choleskyLower(B, n);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.index).toBe(3);
  });
});
