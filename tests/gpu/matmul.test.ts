import { describe, expect, it } from 'vitest';
import { matmulDesc, matmulRef, type Transpose } from '../../src/core/matmul';
import { Rng } from '../../src/core/rng';
import { matmul } from '../../src/gpu/kernels/matmul';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

// Sizes include 1×1×1, primes and non-multiples of the 64×64×16 tile (M, N, K order).
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [63, 65, 17],
  [64, 64, 16],
  [5, 130, 7],
  [257, 129, 300],
  [100, 3, 513],
];
const TRANS: Transpose[] = ['nn', 'nt', 'tn'];

describe('matmul_tiled vs CPU reference', () => {
  it('reports a real adapter', async () => {
    const rt = await getRuntime();
    expect(rt.caps.vendor + rt.caps.architecture).not.toBe('');
  });

  for (const [M, N, K] of SHAPES) {
    for (const trans of TRANS) {
      it(`${trans} M=${M} N=${N} K=${K} (tiled; rows kernel too when M ≤ 5)`, async () => {
        const rt = await getRuntime();
        const rng = new Rng(M * 7919 + N * 104729 + K * 31 + trans.charCodeAt(1));
        const A = rng.uniformArray(M * K);
        const B = rng.uniformArray(K * N);
        const d = matmulDesc(M, N, K, trans);
        const ref = matmulRef(A, B, new Float32Array(M * N), d);
        const gA = rt.upload(A, 'A');
        const gB = rt.upload(B, 'B');
        const gC = rt.createBuffer(M * N * 4, 'C');
        // the 'rows' kernel (auto's choice for M ≤ 4) is checked on the few-row shapes, also at M = 5
        for (const variant of M <= 5 ? (['tiled', 'rows'] as const) : (['tiled'] as const)) {
          const got = await rt.validated('matmul', async () => {
            matmul(rt, gA, gB, gC, d, variant);
            return rt.read(gC, M * N * 4);
          });
          // f32 accumulation over K ≤ 513 terms of magnitude ≤ 1: relative 1e-5 of the row scale.
          const scale = Math.sqrt(K) / 3;
          const r = expectClose(got, ref, { atol: 1e-5 * scale, rtol: 1e-5, what: `${variant} ${trans} ${M}x${N}x${K}` });
          expect(r.maxAbs).toBeLessThan(1e-4);
        }
        rt.destroy(gA, gB, gC);
      });
    }
  }

  it('batched, offsets, alpha and beta (accumulate) and the naive and rows kernels agree with the reference', async () => {
    const rt = await getRuntime();
    const rng = new Rng(42);
    const [M, N, K, batch] = [33, 47, 29, 3];
    const A = rng.uniformArray(5 + batch * M * K);
    const B = rng.uniformArray(batch * N * K);
    const C0 = rng.uniformArray(batch * M * N);
    const d = { ...matmulDesc(M, N, K, 'nt'), batch, offA: 5, bsA: M * K, bsB: N * K, bsC: M * N, alpha: 0.5, beta: 1 };
    const ref = matmulRef(A, B, C0.slice(), d);
    for (const variant of ['tiled', 'naive', 'rows'] as const) {
      const gA = rt.upload(A, 'A');
      const gB = rt.upload(B, 'B');
      const gC = rt.upload(C0, 'C');
      matmul(rt, gA, gB, gC, d, variant);
      const got = await rt.read(gC, C0.byteLength);
      expectClose(got, ref, { atol: 1e-5, rtol: 1e-5, what: variant });
      rt.destroy(gA, gB, gC);
    }
  });

  it('batch divisors (GQA: query head h reads kv head floor(h/G)) match the reference', async () => {
    const rt = await getRuntime();
    const rng = new Rng(77);
    const [T, D, H, KVH] = [19, 6, 6, 2];
    const G = H / KVH;
    const q = rng.uniformArray(T * H * D);
    const k = rng.uniformArray(T * KVH * D);
    // S[h] = Q[h] · K[h/G]ᵀ for all heads in one dispatch
    const d = {
      M: T,
      N: T,
      K: D,
      batch: H,
      sAm: H * D,
      sAk: 1,
      bsA: D,
      sBk: 1,
      sBn: KVH * D,
      bsB: D,
      divB: G,
      ldc: T,
      bsC: T * T,
    };
    const ref = matmulRef(q, k, new Float32Array(H * T * T), d);
    const gq = rt.upload(q, 'q');
    const gk = rt.upload(k, 'k');
    const gs = rt.createBuffer(H * T * T * 4, 'S');
    for (const variant of ['tiled', 'naive', 'rows'] as const) {
      matmul(rt, gq, gk, gs, d, variant);
      expectClose(await rt.read(gs, H * T * T * 4), ref, { atol: 1e-6, rtol: 1e-5, what: variant });
    }
    rt.destroy(gq, gk, gs);
  });

  it('rejects a description that reads past a buffer, naming the tensor', async () => {
    const rt = await getRuntime();
    const gA = rt.createBuffer(4 * 10, 'small-A');
    const gB = rt.createBuffer(4 * 100, 'B');
    const gC = rt.createBuffer(4 * 100, 'C');
    expect(() => matmul(rt, gA, gB, gC, matmulDesc(10, 10, 10))).toThrow(/small-A/);
    rt.destroy(gA, gB, gC);
  });
});
