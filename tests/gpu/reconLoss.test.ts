import { describe, expect, it } from 'vitest';
import { reconLoss as refReconLoss } from '../../src/core/ops/reconLoss';
import { Rng } from '../../src/core/rng';
import { reconLoss, reconLossValue } from '../../src/gpu/kernels/reconLoss';
import { getRuntime } from './setup';
import { expectClose, reportScalar } from '../support/close';

const SHAPES: [number, number][] = [
  [1, 12],
  [7, 100],
  [130, 257],
];

function inputs(T: number, C: number, seed: number): { y: Float32Array; yRef: Float32Array } {
  const rng = new Rng(seed);
  const yRef = rng.normalArray(T * C, 1.5);
  const y = new Float32Array(T * C);
  for (let i = 0; i < y.length; i++) y[i] = yRef[i] + 0.1 * rng.normal(); // a pruned output near the reference
  // Channel 3: reference identically zero, the guarded case (no loss term, zero gradient).
  for (let t = 0; t < T; t++) yRef[t * C + 3] = 0;
  return { y, yRef };
}

describe('recon_loss.wgsl (+ sum.wgsl) vs src/core/ops/reconLoss.ts', () => {
  for (const [T, C] of SHAPES) {
    it(`loss and dy T=${T} C=${C}`, async () => {
      const rt = await getRuntime();
      const { y, yRef } = inputs(T, C, 900 + T * C);
      const ref = refReconLoss(y, yRef, T, C);
      const gy = rt.upload(y, 'y');
      const gref = rt.upload(yRef, 'yRef');
      const gdy = rt.createBuffer(T * C * 4, 'dy');
      const loss = await rt.validated('reconLoss', () => reconLossValue(rt, gy, gref, gdy, T, C));
      const dy = await rt.read(gdy, T * C * 4);
      expect(Number.isFinite(loss)).toBe(true);
      // Sums of ≤ 130 positive f32 terms per channel, then a pairwise sum over channels.
      reportScalar(`loss T=${T} C=${C}`, loss, ref.loss);
      expect(Math.abs(loss - ref.loss)).toBeLessThanOrEqual(1e-5 * ref.loss);
      expectClose(dy, ref.dy, { atol: 1e-9, rtol: 1e-5, what: `dy T=${T} C=${C}` });
      for (let t = 0; t < T; t++) expect(Math.abs(dy[t * C + 3])).toBe(0); // ±0: 0·e keeps the sign of e
      rt.destroy(gy, gref, gdy);
    });
  }

  it('accumulates two sequences into one loss slot', async () => {
    const rt = await getRuntime();
    const [T, C] = [5, 40];
    const a = inputs(T, C, 1);
    const b = inputs(T, C, 2);
    const want = refReconLoss(a.y, a.yRef, T, C).loss + refReconLoss(b.y, b.yRef, T, C).loss;
    const loss = rt.upload(new Float32Array([0, 0]), 'loss');
    const partial = rt.createBuffer(C * 4, 'partial');
    const bufs = [a, b].map((s) => ({ y: rt.upload(s.y, 'y'), yRef: rt.upload(s.yRef, 'yRef'), dy: rt.createBuffer(T * C * 4, 'dy') }));
    for (const s of bufs) reconLoss(rt, { ...s, loss, partial, T, C, lossOffset: 1, accumulate: true });
    const got = await rt.read(loss, 8);
    expect(got[0]).toBe(0);
    expect(Math.abs(got[1] - want)).toBeLessThanOrEqual(1e-5 * want);
    rt.destroy(loss, partial, ...bufs.flatMap((s) => [s.y, s.yRef, s.dy]));
  });
});
