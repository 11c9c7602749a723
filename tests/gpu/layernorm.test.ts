import { describe, expect, it } from 'vitest';
import { layernormBackward as refBackward, layernormForward as refForward } from '../../src/core/ops/layernorm';
import { Rng } from '../../src/core/rng';
import { layernormBackward, layernormForward } from '../../src/gpu/kernels/layernorm';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

// T is not a multiple of the 64-row workgroup (130 leaves a partial second group); C = 768 is GPT-2 small's width.
const SHAPES: [number, number][] = [
  [1, 12],
  [7, 100],
  [130, 257],
  [3, 768],
];

describe('layernorm.wgsl vs src/core/ops/layernorm.ts', () => {
  for (const [T, C] of SHAPES) {
    it(`forward and backward T=${T} C=${C}`, async () => {
      const rt = await getRuntime();
      const rng = new Rng(2000 + T * 31 + C);
      // Row means up to ±6 against a spread of 2 (GPT-2's residual stream has such rows): the f32 error of the
      // first-pass mean then shows in y near 0, which the kernel's corrected second pass removes.
      const x = rng.normalArray(T * C, 2);
      for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) x[t * C + c] += 3 * (t % 5) - 6;
      const w = rng.uniformArray(C, 0.5, 1.5);
      const b = rng.normalArray(C, 0.5);
      const dy = rng.normalArray(T * C);
      const eps = 1e-5;
      const ref = refForward(x, w, b, T, C, eps);
      const refDx = refBackward(x, w, ref.mean, ref.rstd, dy, T, C);

      const gx = rt.upload(x, 'x');
      const gw = rt.upload(w, 'w');
      const gb = rt.upload(b, 'b');
      const gy = rt.createBuffer(T * C * 4, `y T=${T} C=${C}`);
      const gmean = rt.createBuffer(T * 4, `mean T=${T} C=${C}`);
      const grstd = rt.createBuffer(T * 4, `rstd T=${T} C=${C}`);
      const gdy = rt.upload(dy, 'dy');
      const gdx = rt.createBuffer(T * C * 4, `dx T=${T} C=${C}`);
      const [y, mean, rstd, dx] = await rt.validated('layernorm', async () => {
        layernormForward(rt, gx, gw, gb, gy, gmean, grstd, T, C, eps);
        layernormBackward(rt, gx, gw, gmean, grstd, gdy, gdx, T, C);
        return [await rt.read(gy, T * C * 4), await rt.read(gmean, T * 4), await rt.read(grstd, T * 4), await rt.read(gdx, T * C * 4)];
      });
      // f32 serial sums over C ≤ 768 terms; mean, rstd, y and dx are O(1) (|mean| ≤ 6). Achieved ≤ 1.5e-6
      // absolute (y); the uncorrected first-pass mean alone put y off by 2.9e-6 at C = 257 and 768.
      expectClose(mean, ref.mean, { atol: 2e-6, rtol: 1e-5, what: `mean T=${T} C=${C}` });
      expectClose(rstd, ref.rstd, { atol: 1e-6, rtol: 1e-5, what: `rstd T=${T} C=${C}` });
      expectClose(y, ref.y, { atol: 2e-6, rtol: 1e-5, what: `y T=${T} C=${C}` });
      expectClose(dx, refDx, { atol: 2e-6, rtol: 1e-5, what: `dx T=${T} C=${C}` });
      rt.destroy(gx, gw, gb, gy, gmean, grstd, gdy, gdx);
    });
  }

  it('rejects a short buffer, naming the tensor, and an output that aliases an input', async () => {
    const rt = await getRuntime();
    const gx = rt.createBuffer(4 * 10 * 12, 'x');
    const gw = rt.createBuffer(4 * 12, 'w');
    const gb = rt.createBuffer(4 * 7, 'short-b'); // 8 floats after 16-byte rounding, C = 12 needed
    const gy = rt.createBuffer(4 * 10 * 12, 'y');
    const gm = rt.createBuffer(4 * 10, 'mean');
    const gr = rt.createBuffer(4 * 10, 'rstd');
    expect(() => layernormForward(rt, gx, gw, gb, gy, gm, gr, 10, 12, 1e-5)).toThrow(/b \("short-b"\)/);
    expect(() => layernormForward(rt, gx, gw, gw, gx, gm, gr, 10, 12, 1e-5)).toThrow(/output y is the same buffer as x/);
    expect(() => layernormBackward(rt, gx, gw, gm, gr, gy, gy, 10, 12)).toThrow(/output dx is the same buffer as dy/);
    rt.destroy(gx, gw, gb, gy, gm, gr);
  });
});
