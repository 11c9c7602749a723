import { describe, expect, it } from 'vitest';
import { ropeBackward as refBackward, ropeForward as refForward } from '../../src/core/ops/rope';
import { Rng } from '../../src/core/rng';
import { createRopeTable, ropeBackward, ropeForward } from '../../src/gpu/kernels/rope';
import type { RopeLayout } from '../../src/model/spec';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

// [T, H, D, posOffset]: heads 3 and 1 (q/k of a GQA 3:1 model), 4 and 2; D even and not 2^k (6).
const CASES: [number, number, number, number][] = [
  [1, 3, 6, 0],
  [7, 1, 32, 5],
  [130, 4, 64, 0],
  [13, 2, 6, 377],
];
const LAYOUTS: RopeLayout[] = ['half', 'interleaved'];

describe('rope.wgsl vs src/core/ops/rope.ts', () => {
  for (const [T, H, D, pos] of CASES) {
    for (const layout of LAYOUTS) {
      it(`${layout} T=${T} H=${H} D=${D} posOffset=${pos}`, async () => {
        const rt = await getRuntime();
        const rng = new Rng(T * 131 + H * 17 + D + pos + (layout === 'half' ? 0 : 999));
        const theta = 10000;
        const x = rng.normalArray(T * H * D);
        const dy = rng.normalArray(T * H * D);
        const ref = refForward(x, T, H, D, theta, layout, pos);
        const refDx = refBackward(dy, T, H, D, theta, layout, pos);
        const table = createRopeTable(rt, T, D, theta, pos);
        const gx = rt.upload(x, 'x');
        const gdy = rt.upload(dy, 'dy');
        const gy = rt.createBuffer(x.byteLength, 'y');
        const gdx = rt.createBuffer(x.byteLength, 'dx');
        const [y, dx] = await rt.validated('rope', async () => {
          ropeForward(rt, table, gx, gy, T, H, D, layout);
          ropeBackward(rt, table, gdy, gdx, T, H, D, layout);
          return [await rt.read(gy, x.byteLength), await rt.read(gdx, x.byteLength)];
        });
        // Two f32 products per output with exact (f64-derived) cos/sin: a few ulp of |a|+|b|.
        expectClose(y, ref, { atol: 1e-6, rtol: 1e-5, what: `y ${layout} T=${T} H=${H} D=${D}` });
        expectClose(dx, refDx, { atol: 1e-6, rtol: 1e-5, what: `dx ${layout} T=${T} H=${H} D=${D}` });
        rt.destroy(table.buffer, gx, gdy, gy, gdx);
      });
    }
  }

  // KV-cache decoding: one table for many positions, rows rotated at table row t0 + t
  // ([T, H, D, table posOffset, t0, table rows]; the last case uses exactly the rows it needs).
  const OFFSET_CASES: [number, number, number, number, number, number][] = [
    [1, 3, 6, 0, 37, 100],
    [5, 2, 10, 0, 1, 9],
    [3, 1, 32, 11, 94, 97],
  ];
  for (const [T, H, D, pos, t0, rows] of OFFSET_CASES) {
    for (const layout of LAYOUTS) {
      it(`${layout} T=${T} H=${H} D=${D} table rows ${rows} from pos ${pos}, t0=${t0}`, async () => {
        const rt = await getRuntime();
        const rng = new Rng(7 * T + 31 * t0 + D + (layout === 'half' ? 0 : 555));
        const theta = 10000;
        const x = rng.normalArray(T * H * D);
        const dy = rng.normalArray(T * H * D);
        const ref = refForward(x, T, H, D, theta, layout, pos + t0);
        const refDx = refBackward(dy, T, H, D, theta, layout, pos + t0);
        const table = createRopeTable(rt, rows, D, theta, pos);
        const [gx, gdy] = [rt.upload(x, 'x'), rt.upload(dy, 'dy')];
        const gy = rt.createBuffer(x.byteLength, 'y');
        const gdx = rt.createBuffer(x.byteLength, 'dx');
        const [y, dx] = await rt.validated('rope t0', async () => {
          ropeForward(rt, table, gx, gy, T, H, D, layout, t0);
          ropeBackward(rt, table, gdy, gdx, T, H, D, layout, t0);
          return [await rt.read(gy, x.byteLength), await rt.read(gdx, x.byteLength)];
        });
        expectClose(y, ref, { atol: 1e-6, rtol: 1e-5, what: `y t0=${t0} ${layout}` });
        expectClose(dx, refDx, { atol: 1e-6, rtol: 1e-5, what: `dx t0=${t0} ${layout}` });
        rt.destroy(table.buffer, gx, gdy, gy, gdx);
      });
    }
  }

  it('rejects a table built for another head dim or too few positions', async () => {
    const rt = await getRuntime();
    const table = createRopeTable(rt, 4, 6, 10000);
    const gx = rt.createBuffer(4 * 8 * 2 * 6, 'x');
    const gy = rt.createBuffer(4 * 8 * 2 * 6, 'y');
    expect(() => ropeForward(rt, table, gx, gy, 8, 2, 6, 'half')).toThrow(/RoPE table covers T=4/);
    expect(() => ropeForward(rt, table, gx, gy, 4, 2, 8, 'half')).toThrow(/D=6/);
    expect(() => ropeForward(rt, table, gx, gy, 2, 2, 6, 'half', 3)).toThrow(/rows 3\.\.4/); // rows 3, 4 of a 4-row table
    expect(() => ropeForward(rt, table, gx, gy, 1, 2, 6, 'half', -1)).toThrow(/t0/);
    rt.destroy(table.buffer, gx, gy);
  });
});
