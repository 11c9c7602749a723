import { describe, expect, it } from 'vitest';
import { positionAdd as refPositionAdd } from '../../src/core/ops/positionAdd';
import { Rng } from '../../src/core/rng';
import { positionAdd } from '../../src/gpu/kernels/positionAdd';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

// [T, C, P, t0]: T·C not a multiple of the 256-thread workgroup; t0 > 0 is the decoding case (rows at
// absolute positions), t0 + T = P uses the table's last row.
const CASES: [number, number, number, number][] = [
  [1, 12, 4, 0],
  [7, 100, 16, 3],
  [130, 257, 130, 0],
  [5, 33, 40, 35],
];

describe('position_add.wgsl vs src/core/ops/positionAdd.ts', () => {
  for (const [T, C, P, t0] of CASES) {
    it(`x += pos[t0..] T=${T} C=${C} P=${P} t0=${t0}`, async () => {
      const rt = await getRuntime();
      const rng = new Rng(3000 + T * 17 + C + t0);
      const x = rng.normalArray(T * C);
      const pos = rng.normalArray(P * C, 0.1);
      const ref = refPositionAdd(x, pos, T, C, P, t0);
      const gx = rt.upload(x, 'x');
      const gpos = rt.upload(pos, 'pos');
      const got = await rt.validated('positionAdd', async () => {
        positionAdd(rt, gx, gpos, T, C, P, t0);
        return rt.read(gx, T * C * 4);
      });
      // one f32 add on both sides: bit-identical.
      expectClose(got, ref, { atol: 0, rtol: 0, what: `x T=${T} C=${C} t0=${t0}` });
      rt.destroy(gx, gpos);
    });
  }

  it('rejects positions past the table, a short table, and x = pos', async () => {
    const rt = await getRuntime();
    const gx = rt.createBuffer(4 * 8 * 16, 'x');
    const gpos = rt.createBuffer(4 * 10 * 16, 'pos');
    expect(() => positionAdd(rt, gx, gpos, 8, 16, 10, 3)).toThrow(/positions 3\.\.10 exceed the table's P=10 rows/);
    expect(() => positionAdd(rt, gx, gpos, 8, 16, 12)).toThrow(/pos \("pos"\) holds 160 floats but 192/);
    expect(() => positionAdd(rt, gx, gx, 8, 16, 8)).toThrow(/pos and x are the same buffer/);
    rt.destroy(gx, gpos);
  });
});
