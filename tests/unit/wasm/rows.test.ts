// The BESA step's row kernels in the module (wasm/rows.ts) and the causal products (wasm/gemm.ts flags):
// causal products skip only exact zeros, so they equal the full product bit for bit; the mask product and
// the prefix sums are bit-identical to the JS loops they replaced; softmax and SwiGLU match the reference.
import { describe, expect, it } from 'vitest';
import { candidates } from '../../../src/core/besa/candidates';
import { prefixAtCandidates, thetaGradFromPrefix } from '../../../src/core/besa/grad';
import { probabilities } from '../../../src/core/besa/sparsity';
import { hardMask } from '../../../src/core/besa/masks';
import { swigluBackward, swigluForward } from '../../../src/core/ops/swiglu';
import { Rng } from '../../../src/core/rng';
import { rowMajor, WasmKernels, type Causal } from '../../../src/wasm/kernels';
import { wasmBlockOps } from '../../../src/wasm/ops';
import { expectClose } from '../../support/close';

/** A [T, T] matrix that is zero above the diagonal (like P and dS). */
function lowerTriangular(rng: Rng, T: number): Float32Array {
  const a = rng.normalArray(T * T, 1);
  for (let t = 0; t < T; t++) a.fill(0, t * T + t + 1, (t + 1) * T);
  return a;
}

describe('WASM causal products and row kernels', () => {
  it.each([1, 5, 23, 37])('T=%i: causal products equal the full product exactly where they are used', async (T) => {
    const k = await WasmKernels.create();
    const rng = new Rng(T);
    const D = 7;
    const run = (a: Float32Array, transposed: boolean, b: Float32Array, M: number, N: number, K: number, causal: Causal, acc: Float32Array | null) => {
      k.reset();
      const A = k.put(a);
      const B = k.put(b);
      const C = acc ? k.put(acc) : k.alloc(M * N);
      if (!acc) k.view(C).fill(0);
      k.gemm(M, N, K, rowMajor(A, transposed ? M : K, transposed), rowMajor(B, N), { ptr: C.ptr, ld: N }, !!acc, causal);
      return k.read(C);
    };
    const L = lowerTriangular(rng, T);
    const V = rng.normalArray(T * D, 1);
    const init = rng.normalArray(T * D, 1);
    expect(run(L, false, V, T, D, T, 2, null)).toEqual(run(L, false, V, T, D, T, 0, null)); // P·V
    expect(run(L, true, V, T, D, T, 3, init)).toEqual(run(L, true, V, T, D, T, 0, init)); // Pᵀ·dO, accumulated
    const Q = rng.normalArray(T * D, 1);
    const Kt = rng.normalArray(D * T, 1);
    const full = run(Q, false, Kt, T, T, D, 0, null);
    const low = run(Q, false, Kt, T, T, D, 1, null);
    for (let t = 0; t < T; t++) expect(low.subarray(t * T, t * T + t + 1)).toEqual(full.subarray(t * T, t * T + t + 1));
  });

  it('the mask product and the prefix sums are bit-identical to the JS loops', async () => {
    const k = await WasmKernels.create();
    const rng = new Rng(3);
    const [rows, cols, D] = [6, 37, 11];
    const w = rng.normalArray(rows * cols, 1);
    const m = Float32Array.from({ length: rows * cols }, () => (rng.next() < 0.5 ? 0 : 1));
    k.reset();
    const W = k.put(w);
    k.mul(W.ptr, W.ptr, k.put(m).ptr, w.length);
    expect(k.read(W)).toEqual(Float32Array.from(w, (x, i) => x * m[i]));
    const wide = new Int32Array(rows * cols);
    for (let r = 0; r < rows; r++) wide.set(Array.from({ length: cols }, (_, j) => j).sort(() => rng.next() - 0.5), r * cols);
    const kd = Int32Array.from({ length: D }, (_, d) => Math.trunc((cols * (D - 1 - d)) / (D - 1)));
    // both widths of a sort order (u16 is what argsortRows makes; i32 past 65536 columns)
    for (const sortIdx of [wide, Uint16Array.from(wide)])
      for (const G of [rows, 2, 1]) {
        k.reset();
        const order = k.putOrder(sortIdx);
        expect(order.wide).toBe(sortIdx === wide);
        const got = k.prefixAtCandidates(k.put(w).ptr, order, k.put(kd).ptr, rows, cols, G, D);
        expect(got).toEqual(prefixAtCandidates(w, sortIdx, kd, rows, cols, G));
      }
  });

  it('the hard mask applied in the module is bit-identical to W ⊙ hardMask (row groups too)', async () => {
    const k = await WasmKernels.create();
    const rng = new Rng(4);
    const [rows, cols] = [8, 41];
    const w = rng.normalArray(rows * cols, 1);
    const wide = new Int32Array(rows * cols);
    for (let r = 0; r < rows; r++) wide.set(Array.from({ length: cols }, (_, j) => j).sort(() => rng.next() - 0.5), r * cols);
    const allCounts = [Int32Array.from({ length: rows }, () => rng.int(cols + 1)), Int32Array.of(0, cols, 17, 3), Int32Array.of(20)];
    for (const sortIdx of [wide, Uint16Array.from(wide)]) for (const counts of allCounts) {
      k.reset();
      const WM = k.put(w);
      k.applyHardMask(WM.ptr, k.putOrder(sortIdx), k.put(counts).ptr, rows, cols, counts.length);
      const m = hardMask(counts, sortIdx, rows, cols);
      const want = Float32Array.from(w, (x, i) => x * m[i]); // −0 where a negative weight is pruned, as mulF32
      const got = k.read(WM);
      for (let i = 0; i < w.length; i++) expect(Object.is(got[i], want[i])).toBe(true);
    }
  });

  it('BESA θ gradient from the prefix sums is bit-identical to thetaGradFromPrefix (sigmoid on and off, row groups)', async () => {
    const k = await WasmKernels.create();
    const rng = new Rng(17);
    const cand = candidates(0.01, 'cpu');
    const D = cand.length;
    for (const [G, useSigmoid] of [[9, true], [3, false], [1, true]] as const) {
      const theta = rng.normalArray(G * D, 2);
      const sig = new Float64Array(G * D);
      const p = probabilities(theta, G, D, useSigmoid, sig);
      const pre = Float64Array.from(rng.normalArray(G * D, 5));
      const dLds = rng.next() - 0.5;
      const want = thetaGradFromPrefix(pre, theta, p, cand, G, useSigmoid, dLds, sig);
      const got = k.thetaGradFromPrefix(pre, p, cand, G, useSigmoid, dLds, sig);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(Object.is(got[i], want[i]), `G ${G} element ${i}`).toBe(true);
    }
  });

  it('the f32 exp of the softmax and SwiGLU is within 2 ulp of e^x over [−87, 88]; NaN stays NaN, far below gives ~0', async () => {
    const k = await WasmKernels.create();
    const rng = new Rng(21);
    const n = 200_003;
    const x = Float32Array.from({ length: n }, (_, i) => (i < 5 ? [0, -0, 1, -1, 88][i] : -87 + 175 * rng.next()));
    k.reset();
    const src = k.put(x);
    const dst = k.alloc(n);
    k.expF32(src.ptr, dst.ptr, n);
    const got = k.read(dst);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const want = Math.exp(x[i]);
      const ulp = 2 ** (Math.floor(Math.log2(want)) - 23);
      worst = Math.max(worst, Math.abs(got[i] - want) / ulp);
    }
    expect(worst).toBeLessThanOrEqual(2);
    const edge = k.put(Float32Array.of(NaN, -1000, -88, 1000));
    k.expF32(edge.ptr, edge.ptr, 4);
    const e = k.read(edge);
    expect(e[0]).toBeNaN();
    expect(e[1]).toBeLessThan(2e-38);
    expect(e[2]).toBeLessThan(2e-38);
    expect(Number.isFinite(e[3])).toBe(true);
  });

  it('causal softmax forward/backward and SwiGLU match the reference ops', async () => {
    const k = await WasmKernels.create();
    const ops = wasmBlockOps(k);
    const rng = new Rng(9);
    const gate = rng.normalArray(301, 2);
    const up = rng.normalArray(301, 1);
    const dh = rng.normalArray(301, 1);
    expectClose(ops.swigluForward!(gate, up), swigluForward(gate, up), { atol: 1e-7, rtol: 1e-6, what: 'swiglu' });
    const b = ops.swigluBackward!(gate, up, dh);
    const r = swigluBackward(gate, up, dh);
    expectClose(b.dgate, r.dgate, { atol: 1e-7, rtol: 1e-6, what: 'dgate' });
    expectClose(b.dup, r.dup, { atol: 1e-7, rtol: 1e-6, what: 'dup' });
    const T = 19;
    const s = rng.normalArray(T * T, 3);
    k.reset();
    const P = k.put(s);
    k.softmaxCausal(P.ptr, T, 0.5);
    const p = k.read(P);
    for (let t = 0; t < T; t++) {
      const row = Array.from(s.subarray(t * T, t * T + t + 1), (x) => Math.exp(x * 0.5));
      const sum = row.reduce((a, x) => a + x, 0);
      expectClose(p.subarray(t * T, t * T + t + 1), Float64Array.from(row, (x) => x / sum), { atol: 1e-7, rtol: 1e-6, what: `p row ${t}` });
      expect([...p.subarray(t * T + t + 1, (t + 1) * T)].every((x) => x === 0)).toBe(true);
    }
    const dp = rng.normalArray(T * T, 1);
    const DS = k.put(dp);
    k.softmaxCausalBack(P.ptr, DS.ptr, T, 0.5);
    const ds = k.read(DS);
    for (let t = 0; t < T; t++) {
      let dot = 0;
      for (let j = 0; j <= t; j++) dot += p[t * T + j] * dp[t * T + j];
      for (let j = 0; j < T; j++) expect(ds[t * T + j]).toBe(j <= t ? Math.fround(p[t * T + j] * (dp[t * T + j] - dot) * 0.5) : 0);
    }
  });
});
