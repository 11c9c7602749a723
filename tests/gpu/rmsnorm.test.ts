import { describe, expect, it } from 'vitest';
import { rmsnormBackward as refBackward, rmsnormForward as refForward } from '../../src/core/ops/rmsnorm';
import { Rng } from '../../src/core/rng';
import { rmsnormBackward, rmsnormForward } from '../../src/gpu/kernels/rmsnorm';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

// T and C are not multiples of the 256-thread workgroup; C = 257 makes one thread do two columns.
const SHAPES: [number, number][] = [
  [1, 12],
  [7, 100],
  [130, 257],
  [3, 600],
];

describe('rmsnorm.wgsl vs src/core/ops/rmsnorm.ts', () => {
  for (const [T, C] of SHAPES) {
    it(`forward and backward T=${T} C=${C}`, async () => {
      const rt = await getRuntime();
      const rng = new Rng(1000 + T * 31 + C);
      const x = rng.normalArray(T * C, 2);
      const w = rng.uniformArray(C, 0.5, 1.5);
      const dy = rng.normalArray(T * C);
      const eps = 1e-5;
      const ref = refForward(x, w, T, C, eps);
      const refDx = refBackward(x, w, ref.rstd, dy, T, C);

      const gx = rt.upload(x, 'x');
      const gw = rt.upload(w, 'w');
      const gy = rt.createBuffer(T * C * 4, `y T=${T} C=${C}`);
      const grstd = rt.createBuffer(T * 4, `rstd T=${T} C=${C}`);
      const gdy = rt.upload(dy, 'dy');
      const gdx = rt.createBuffer(T * C * 4, `dx T=${T} C=${C}`);
      const [y, rstd, dx] = await rt.validated('rmsnorm', async () => {
        rmsnormForward(rt, gx, gw, gy, grstd, T, C, eps);
        rmsnormBackward(rt, gx, gw, grstd, gdy, gdx, T, C);
        return [await rt.read(gy, T * C * 4), await rt.read(grstd, T * 4), await rt.read(gdx, T * C * 4)];
      });
      // f32 sums over C ≤ 600 terms; rstd ~ O(1), y and dx ~ O(1): achieved ≲ 1e-6 relative.
      expectClose(rstd, ref.rstd, { atol: 1e-6, rtol: 1e-5, what: `rstd T=${T} C=${C}` });
      expectClose(y, ref.y, { atol: 1e-6, rtol: 1e-5, what: `y T=${T} C=${C}` });
      expectClose(dx, refDx, { atol: 2e-6, rtol: 1e-5, what: `dx T=${T} C=${C}` });
      rt.destroy(gx, gw, gy, grstd, gdy, gdx);
    });
  }

  it('rejects a short buffer, naming the tensor', async () => {
    const rt = await getRuntime();
    const gx = rt.createBuffer(4 * 10 * 12, 'x');
    const gw = rt.createBuffer(4 * 7, 'short-w'); // 8 floats after 16-byte rounding, C = 12 needed
    const gy = rt.createBuffer(4 * 10 * 12, 'y');
    const gr = rt.createBuffer(4 * 10, 'rstd');
    expect(() => rmsnormForward(rt, gx, gw, gy, gr, 10, 12, 1e-5)).toThrow(/w \("short-w"\)/);
    rt.destroy(gx, gw, gy, gr);
  });
});
