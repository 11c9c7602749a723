import { describe, expect, it } from 'vitest';
import { swigluBackward as refBackward, swigluForward as refForward } from '../../src/core/ops/swiglu';
import { Rng } from '../../src/core/rng';
import { swigluBackward, swigluForward } from '../../src/gpu/kernels/swiglu';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

// n = T·F with T = 1, 7, 130 and odd F, so the last 256-thread workgroup is partial.
const SIZES: [number, number][] = [
  [1, 12],
  [7, 100],
  [130, 257],
];

describe('swiglu.wgsl vs src/core/ops/swiglu.ts', () => {
  for (const [T, F] of SIZES) {
    it(`forward and backward T=${T} F=${F}`, async () => {
      const rt = await getRuntime();
      const n = T * F;
      const rng = new Rng(77 + n);
      const gate = rng.normalArray(n, 3);
      if (n > 4) gate.set([-120, 120, -30, 0], 0); // saturated σ, and exp overflow in a naive σ
      const up = rng.normalArray(n);
      const dh = rng.normalArray(n);
      const ref = refForward(gate, up);
      const refB = refBackward(gate, up, dh);
      const bufs = { gate: rt.upload(gate, 'gate'), up: rt.upload(up, 'up'), dh: rt.upload(dh, 'dh') };
      const h = rt.createBuffer(n * 4, 'h');
      const dgate = rt.createBuffer(n * 4, 'dgate');
      const dup = rt.createBuffer(n * 4, 'dup');
      const [gh, gdg, gdu] = await rt.validated('swiglu', async () => {
        swigluForward(rt, bufs.gate, bufs.up, h, n);
        swigluBackward(rt, bufs.gate, bufs.up, bufs.dh, dgate, dup, n);
        return [await rt.read(h, n * 4), await rt.read(dgate, n * 4), await rt.read(dup, n * 4)];
      });
      // f32 exp is accurate to a few ulp; results are products of O(1) terms.
      expectClose(gh, ref, { atol: 1e-6, rtol: 1e-5, what: `h n=${n}` });
      expectClose(gdg, refB.dgate, { atol: 1e-6, rtol: 1e-5, what: `dgate n=${n}` });
      expectClose(gdu, refB.dup, { atol: 1e-6, rtol: 1e-5, what: `dup n=${n}` });
      rt.destroy(bufs.gate, bufs.up, bufs.dh, h, dgate, dup);
    });
  }

  it('refuses an output that aliases an input', async () => {
    const rt = await getRuntime();
    const a = rt.createBuffer(64, 'a');
    const b = rt.createBuffer(64, 'b');
    expect(() => swigluForward(rt, a, b, a, 16)).toThrow(/output h is the same buffer as gate/);
    rt.destroy(a, b);
  });
});
