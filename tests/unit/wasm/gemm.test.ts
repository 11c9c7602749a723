// The WASM SIMD product (wasm/gemm.ts through src/wasm/kernels.ts) against a plain f64 triple loop:
// A·B, A·Bᵀ and Aᵀ·B at sizes that are not multiples of the 4 × 16 register block, operands read at
// an offset inside a wider matrix (one head of [T, H·D]), C written with a leading dimension, and
// accumulation into C.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { rowMajor, WasmKernels, wasmSimdSupported } from '../../../src/wasm/kernels';
import { expectClose } from '../../support/close';

/** C[M,N] = Σ_k A(i,k)·B(k,j) with A(i,k) = a[aOff + i·rsA + k·csA], same for B. */
function refGemm(M: number, N: number, K: number, a: Float32Array, aOff: number, rsA: number, csA: number, b: Float32Array, bOff: number, rsB: number, csB: number) {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[aOff + i * rsA + k * csA] * b[bOff + k * rsB + j * csB];
      c[i * N + j] = s;
    }
  return c;
}

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [5, 17, 3],
  [13, 33, 29],
  [4, 16, 8],
  [37, 70, 61],
  [64, 100, 256],
];

describe('WASM gemm', () => {
  it('this runtime has WebAssembly SIMD', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  it.each(SIZES)('M=%i N=%i K=%i: A·B, A·Bᵀ, Aᵀ·B equal the f64 loop', async (M, N, K) => {
    const k = await WasmKernels.create();
    const rng = new Rng(M * 1000 + N * 10 + K);
    for (const mode of ['AB', 'ABt', 'AtB'] as const) {
      const a = rng.normalArray(M * K, 1);
      const b = rng.normalArray(K * N, 1);
      k.reset();
      const A = k.put(a);
      const B = k.put(b);
      const C = k.alloc(M * N);
      const opA = mode === 'AtB' ? rowMajor(A, M, true) : rowMajor(A, K); // Aᵀ·B: a holds [K, M]
      const opB = mode === 'ABt' ? rowMajor(B, K, true) : rowMajor(B, N); // A·Bᵀ: b holds [N, K]
      k.gemm(M, N, K, opA, opB, { ptr: C.ptr, ld: N });
      const ref = refGemm(M, N, K, a, 0, opA.rs, opA.cs, b, 0, opB.rs, opB.cs);
      expectClose(k.read(C), ref, { atol: 1e-5 * Math.sqrt(K), rtol: 1e-5, what: `${mode} ${M}x${N}x${K}` });
    }
  });

  it('head slices: operands at an offset in [T, H·D], C at an offset with a leading dimension, accumulate', async () => {
    const k = await WasmKernels.create();
    const rng = new Rng(7);
    const [T, H, D] = [19, 3, 10];
    const q = rng.normalArray(T * H * D, 1);
    const kk = rng.normalArray(T * H * D, 1);
    const init = rng.normalArray(T * H * D, 1);
    const Q = k.put(q);
    const Kt = k.put(kk);
    const S = k.alloc(T * T);
    const O = k.put(init);
    const h = 2;
    // S = q_h · k_hᵀ  [T, T]
    k.gemm(T, T, D, rowMajor(Q, H * D, false, h * D), rowMajor(Kt, H * D, true, h * D), { ptr: S.ptr, ld: T });
    expectClose(k.read(S), refGemm(T, T, D, q, h * D, H * D, 1, kk, h * D, 1, H * D), { atol: 1e-5, rtol: 1e-5, what: 'q_h k_hᵀ' });
    // O[:, h] += S · q_h  [T, D] written into columns h·D.. of [T, H·D]
    const s = k.read(S);
    k.gemm(T, D, T, rowMajor(S, T), rowMajor(Q, H * D, false, h * D), { ptr: O.ptr + 4 * h * D, ld: H * D }, true);
    const sq = refGemm(T, D, T, s, 0, T, 1, q, h * D, H * D, 1);
    const want = Float64Array.from(init);
    for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) want[t * H * D + h * D + d] += sq[t * D + d];
    expectClose(k.read(O), want, { atol: 1e-4, rtol: 1e-5, what: 'O += S q_h (other heads untouched)' });
    expect(k.flops).toBe(2 * T * T * D + 2 * T * D * T);
  });

  it('memory grows for large operands and reset frees it for reuse', async () => {
    const k = await WasmKernels.create();
    const before = k.bytesReserved;
    const big = k.alloc(4 << 20); // 16 MiB
    expect(k.bytesReserved).toBeGreaterThan(before);
    k.view(big).fill(1);
    k.reset();
    expect(k.bytesInUse).toBe(0);
    expect(k.alloc(8).ptr).toBe(big.ptr);
  });
});
