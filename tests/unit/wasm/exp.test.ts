// The module's exp (wasm/exp.ts, V8's fdlibm algorithm) returns Math.exp's bits on every input checked, and
// BESA's probabilities computed with it in the module (wasm/rows.ts besaProbabilities) are bit-identical
// to the JS ones (src/core/besa/sparsity.ts), σ(θ) included: the WASM executor uses them in besaBlock.
import { describe, expect, it } from 'vitest';
import { probabilities } from '../../../src/core/besa/sparsity';
import { Rng } from '../../../src/core/rng';
import { WasmKernels } from '../../../src/wasm/kernels';

/** Inputs next to v: v and the doubles 1..3 ulps either side (by bit pattern). */
function neighbours(v: number): number[] {
  const f = new Float64Array([v]);
  const u = new BigInt64Array(f.buffer);
  const b = u[0];
  const out = [v];
  for (const d of [1n, 2n, 3n, -1n, -2n, -3n]) {
    u[0] = b + d;
    out.push(f[0]);
  }
  return out;
}

describe('the module exp and BESA probabilities', () => {
  it('exp is bit-identical to Math.exp: 2·10⁶ random inputs over [-745, 710], random bit patterns, edge cases', async () => {
    const k = await WasmKernels.create();
    const rng = new Rng(17);
    const xs: number[] = [];
    for (let i = 0; i < 2_000_000; i++) xs.push(-745 + 1455 * rng.next());
    const bits = new Uint32Array(2 * 200_000);
    for (let i = 0; i < bits.length; i++) bits[i] = Math.floor(rng.next() * 2 ** 32);
    for (const v of new Float64Array(bits.buffer)) xs.push(v);
    for (let i = 0; i < 100_000; i++) xs.push(-708.39 - 36.76 * rng.next()); // subnormal results
    for (let i = 0; i < 50_000; i++) xs.push((rng.next() - 0.5) * 2 ** -27); // |x| < 2^-28 and just above
    for (let i = -1080; i < 1030; i++) xs.push(...neighbours((i + 0.5) * Math.LN2)); // the reduction's k boundaries
    for (const v of [0, 1, 2 ** -28, 2 ** -29, 5e-324, 1e-300, Math.LN2 / 2, 1.5 * Math.LN2, 709.782712893384, 745.1332191019412, 708.3964185322641, 1e308])
      xs.push(...neighbours(v), ...neighbours(-v));
    const bb = new BigUint64Array(1);
    const bf = new Float64Array(bb.buffer);
    for (const base of [0x3e300000n, 0x3fd62e43n, 0x3fd62e42n, 0x3ff0a2b2n, 0x3ff0a2b1n, 0x3ff00000n])
      for (let d = -64n; d <= 64n; d++)
        for (const sgn of [0n, 1n << 63n]) {
          bb[0] = ((base << 32n) + d) | sgn;
          xs.push(bf[0], 0.25, 0.25, bf[0]); // both lanes, in pairs with a value on the SIMD path
        }
    if (xs.length % 2) xs.push(0.5);
    xs.push(-0, Infinity, -Infinity, NaN, Number.MAX_VALUE, -Number.MAX_VALUE, 710, -746, 1024, -1080);
    const n = xs.length;
    const want = new BigUint64Array(Float64Array.from(xs, Math.exp).buffer);
    for (const simd of [false, true]) {
      // simd: pairs through expV8x2 (both lanes on its SIMD path unless one is huge, NaN or gives a subnormal)
      k.reset();
      const src = k.alloc(2 * n).ptr;
      const dst = k.alloc(2 * n).ptr;
      k.view64(src, n).set(xs);
      k.expV8(src, dst, n, simd);
      const out = k.view64(dst, n).slice();
      const got = new BigUint64Array(out.buffer);
      const shown: string[] = [];
      let bad = 0;
      for (let i = 0; i < n; i++) {
        if (Number.isNaN(xs[i]) ? !Number.isNaN(out[i]) : got[i] !== want[i]) {
          bad++;
          if (shown.length < 5) shown.push(`simd=${simd} exp(${xs[i]}): ${Math.exp(xs[i])} vs ${out[i]}`);
        }
      }
      expect(shown).toEqual([]);
      expect(bad).toBe(0);
    }
  }, 60_000);

  it.each([
    [37, 11, true, 1],
    [6, 101, true, 3],
    [1, 101, true, 8],
    [23, 51, false, 1],
    [9, 101, false, 30],
  ])('G=%i D=%i sigmoid=%s θ~N(0,%i²): probabilities and σ(θ) are bit-identical to the JS ones', async (G, D, useSigmoid, std) => {
    const k = await WasmKernels.create();
    const rng = new Rng(G * 1000 + D);
    const theta = rng.normalArray(G * D, std);
    theta[0] = 0;
    theta[1] = -0;
    if (G * D > 4) theta[3] = std * 40;
    const sigJs = new Float64Array(G * D);
    const sigWasm = new Float64Array(G * D);
    const want = probabilities(theta, G, D, useSigmoid, sigJs);
    const got = k.besaProbabilities(theta, G, D, useSigmoid, sigWasm);
    expect(got).toBeInstanceOf(Float32Array);
    expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array(want.buffer));
    expect(new BigUint64Array(sigWasm.buffer)).toEqual(new BigUint64Array(sigJs.buffer));
    expect(k.bytesInUse).toBe(0); // the allocator is left as it was
  });
});
