import { describe, expect, it } from 'vitest';
import { geluBackward as refBackward, geluForward as refForward } from '../../src/core/ops/gelu';
import { Rng } from '../../src/core/rng';
import { geluBackward, geluForward } from '../../src/gpu/kernels/gelu';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

// n = T·F with T = 1, 7, 130 and odd F, so the last 256-thread workgroup is partial.
const SIZES: [number, number][] = [
  [1, 12],
  [7, 100],
  [130, 257],
];
// Past |u| ≈ 10 a tanh built from exp(2z) overflows (inf/inf; WGSL's tanh on SwiftShader gives NaN at u = −20);
// ±1e4 breaks a form that clamps z instead of u (its slope keeps 2u·σ(30)·σ(−30)·K(1 + 3A·u²) ≈ 0.02).
const EXTREMES = [-20, 20, -13, 13, -10.5, 10.5, -6, 6, 0, -1e4, 1e4];

describe('gelu.wgsl vs src/core/ops/gelu.ts', () => {
  for (const [T, F] of SIZES) {
    it(`forward and backward T=${T} F=${F}`, async () => {
      const rt = await getRuntime();
      const n = T * F;
      const rng = new Rng(88 + n);
      const u = rng.normalArray(n, 3);
      u.set(EXTREMES.slice(0, n), 0);
      const dh = rng.normalArray(n);
      const ref = refForward(u);
      const refDu = refBackward(u, dh);
      const gu = rt.upload(u, 'u');
      const gdh = rt.upload(dh, 'dh');
      const h = rt.createBuffer(n * 4, 'h');
      const du = rt.createBuffer(n * 4, 'du');
      const [gh, gdu] = await rt.validated('gelu', async () => {
        geluForward(rt, gu, h, n);
        geluBackward(rt, gu, gdh, du, n);
        return [await rt.read(h, n * 4), await rt.read(du, n * 4)];
      });
      // f32 exp is accurate to a few ulp times |x| (WGSL's bound); h ≤ |u| ≤ 1e4 and du ≤ 1.13·|dh|:
      // rtol 1e-5 covers |h| = 1e4, atol 1e-6 the tiny negative tail where the reference itself is f64 1 + tanh.
      expectClose(gh, ref, { atol: 1e-6, rtol: 1e-5, what: `h n=${n}` });
      expectClose(gdu, refDu, { atol: 1e-6, rtol: 1e-5, what: `du n=${n}` });
      rt.destroy(gu, gdh, h, du);
    });
  }

  it('refuses an output that aliases an input', async () => {
    const rt = await getRuntime();
    const a = rt.createBuffer(64, 'a');
    const b = rt.createBuffer(64, 'b');
    expect(() => geluForward(rt, a, a, 16)).toThrow(/output h is the same buffer as u/);
    expect(() => geluBackward(rt, a, b, b, 16)).toThrow(/output du is the same buffer as dh/);
    rt.destroy(a, b);
  });
});
