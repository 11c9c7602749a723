import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { sum } from '../../src/gpu/kernels/sum';
import { getRuntime } from './setup';
import { reportScalar } from '../support/close';

function refSum(x: Float32Array): { s: number; abs: number } {
  let s = 0;
  let abs = 0;
  for (const v of x) {
    s += v;
    abs += Math.abs(v);
  }
  return { s, abs };
}

describe('sum.wgsl vs an f64 sum', () => {
  // 1-pass (n ≤ 4096) and 2-pass sizes, including a partial last group and > 256·4096 elements.
  for (const n of [1, 7, 257, 4097, 100_003, (1 << 20) + 3]) {
    for (const positive of [false, true]) {
      it(`n=${n} ${positive ? 'positive' : 'signed'}`, async () => {
        const rt = await getRuntime();
        const rng = new Rng(n * 3 + (positive ? 1 : 0));
        const x = positive ? rng.uniformArray(n, 0, 1) : rng.uniformArray(n);
        const { s, abs } = refSum(x);
        const gx = rt.upload(x, 'x');
        const out = rt.createBuffer(4, 'out');
        const got = await rt.validated('sum', async () => {
          sum(rt, gx, n, out);
          return (await rt.read(out, 4))[0];
        });
        // Error bound of an f32 summation: proportional to Σ|x| (cancellation makes rtol alone meaningless).
        reportScalar(`sum n=${n} ${positive ? '+' : '±'} (Σ|x|=${abs.toFixed(0)})`, got, s);
        expect(Math.abs(got - s)).toBeLessThanOrEqual(2e-7 * abs + 1e-5 * Math.abs(s));
        rt.destroy(gx, out);
      });
    }
  }

  it('scale, outOffset and accumulate (1-pass and 2-pass)', async () => {
    const rt = await getRuntime();
    const rng = new Rng(5);
    const out = rt.upload(new Float32Array([10, 20, 30, 40]), 'out');
    const a = rng.uniformArray(100, 0, 1);
    const b = rng.uniformArray(50_000, 0, 1);
    const ga = rt.upload(a, 'a');
    const gb = rt.upload(b, 'b');
    sum(rt, ga, 100, out, { scale: 0.5, outOffset: 1 }); // out[1] = Σa/2
    sum(rt, gb, 50_000, out, { scale: 2, outOffset: 2, accumulate: true }); // out[2] = 30 + 2Σb
    sum(rt, ga, 100, out, { outOffset: 3, accumulate: true }); // out[3] = 40 + Σa
    const got = await rt.read(out, 16);
    const sa = refSum(a).s;
    const sb = refSum(b).s;
    expect(got[0]).toBe(10);
    expect(Math.abs(got[1] - sa / 2)).toBeLessThan(1e-5 * sa);
    expect(Math.abs(got[2] - (30 + 2 * sb))).toBeLessThan(1e-5 * (30 + 2 * sb));
    expect(Math.abs(got[3] - (40 + sa))).toBeLessThan(1e-5 * (40 + sa));
    rt.destroy(out, ga, gb);
  });

  it('rejects an out buffer too small for outOffset', async () => {
    const rt = await getRuntime();
    const x = rt.createBuffer(64, 'x');
    const out = rt.createBuffer(16, 'tiny-out');
    expect(() => sum(rt, x, 16, out, { outOffset: 4 })).toThrow(/out \("tiny-out"\)/);
    rt.destroy(x, out);
  });
});
