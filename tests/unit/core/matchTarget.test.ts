// Final-mask rule 'match-target' (src/core/besa/matchTarget.ts): exact block count, learned order kept,
// each row within one weight of its shifted share, and the floor rule when that already hits the target.
import { describe, expect, it } from 'vitest';
import { hardMask, hardPruneCounts } from '../../../src/core/besa/masks';
import { matchTargetCounts, TargetCountError, type LayerAllocation } from '../../../src/core/besa/matchTarget';
import { Rng } from '../../../src/core/rng';

/** Random learned allocations in the sigmoid bounds, widths that are not powers of two. */
function randomLayers(rng: Rng, shapes: [rows: number, cols: number, G: number][]): LayerAllocation[] {
  return shapes.map(([rows, cols, G]) => ({ rows, cols, s: Float64Array.from({ length: G }, () => 0.3763 + 0.2474 * rng.next()) }));
}

/** Weights pruned: every row of logit group g prunes counts[g]. */
const total = (c: Int32Array[], layers: LayerAllocation[]) =>
  c.reduce((a, n, li) => a + n.reduce((x, y) => x + y, 0) * (layers[li].rows / n.length), 0);

describe('matchTargetCounts', () => {
  const shapes: [number, number, number][] = [
    [37, 29, 37], // row-wise: one logit group per row
    [12, 88, 12],
    [33, 7, 33],
  ];

  for (const alpha of [0.3, 0.5, 0.6, 0.9]) {
    it(`α̂ = ${alpha}: prunes exactly round(α̂·numel), rows within one weight of (s_r + Δ)·C`, () => {
      const rng = new Rng(11 + alpha * 100);
      const layers = randomLayers(rng, shapes);
      const numel = layers.reduce((a, l) => a + l.rows * l.cols, 0);
      const K = Math.round(alpha * numel);
      const { counts, delta } = matchTargetCounts(layers, K);
      expect(total(counts, layers)).toBe(K);
      layers.forEach((l, li) => {
        for (let r = 0; r < l.rows; r++) {
          const want = Math.min(1, Math.max(0, l.s[r] + delta)) * l.cols;
          expect(Math.abs(counts[li][r] - want)).toBeLessThan(1 + 1e-9);
          expect(counts[li][r]).toBeGreaterThanOrEqual(0);
          expect(counts[li][r]).toBeLessThanOrEqual(l.cols);
        }
      });
    });
  }

  it('layer-wise (one logit row per linear): one count per linear, total within one row of the smallest linear', () => {
    const layers = randomLayers(new Rng(21), [
      [20, 45, 1],
      [16, 30, 1],
      [24, 45, 1],
    ]);
    const numel = 20 * 45 + 16 * 30 + 24 * 45;
    for (const alpha of [0.4, 0.5, 0.55]) {
      const K = Math.round(alpha * numel);
      const { counts, delta } = matchTargetCounts(layers, K);
      counts.forEach((n, li) => {
        expect(n.length).toBe(1);
        expect(Math.abs(n[0] - (layers[li].s[0] + delta) * layers[li].cols)).toBeLessThan(1 + 1e-9);
      });
      expect(Math.abs(total(counts, layers) - K)).toBeLessThan(16);
    }
  });

  it('keeps the learned order: among rows of one width, a higher learned sparsity never prunes fewer weights', () => {
    const rng = new Rng(5);
    const layers = randomLayers(rng, [
      [64, 53, 64],
      [40, 53, 40],
    ]);
    const { counts } = matchTargetCounts(layers, Math.round(0.5 * 104 * 53));
    const rows = layers.flatMap((l, li) => Array.from({ length: l.rows }, (_, r) => ({ s: l.s[r], n: counts[li][r] })));
    for (const a of rows) for (const b of rows) if (a.s > b.s) expect(a.n).toBeGreaterThanOrEqual(b.n);
  });

  it('equals the reference floor(s·C) when that already prunes the target count (θ = 0, even widths)', () => {
    const layers: LayerAllocation[] = [
      { rows: 8, cols: 32, s: new Float64Array(8).fill(0.5) },
      { rows: 6, cols: 88, s: new Float64Array(1).fill(0.5) },
    ];
    const { counts, delta } = matchTargetCounts(layers, 0.5 * (8 * 32 + 6 * 88));
    expect(Array.from(counts[0])).toEqual(Array.from(hardPruneCounts(layers[0].s, 32)));
    expect(Array.from(counts[1])).toEqual([44]); // layer-wise: one count for the linear
    expect(Math.abs(delta)).toBeLessThan(1e-9);
  });

  it('its counts drive hardMask (one count per logit group)', () => {
    const sortIdx = Int32Array.from({ length: 3 * 5 }, (_, i) => 4 - (i % 5)); // each row prunes from the last column
    const m = hardMask(Int32Array.from([0, 2, 5]), sortIdx, 3, 5);
    expect(Array.from(m)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('saturates rows at 0 and C for extreme targets', () => {
    const layers = randomLayers(new Rng(3), [[9, 13, 9]]);
    expect(total(matchTargetCounts(layers, 0).counts, layers)).toBe(0);
    const all = matchTargetCounts(layers, 9 * 13).counts[0];
    expect(Array.from(all)).toEqual(new Array(9).fill(13));
  });

  it('a count outside [0, numel] is a TargetCountError that names the valid range', () => {
    const layers = randomLayers(new Rng(1), [[4, 4, 4]]);
    expect(() => matchTargetCounts(layers, 17)).toThrow(TargetCountError);
    expect(() => matchTargetCounts(layers, 2.5)).toThrow(/integer in \[0, 16\]/);
  });
});
