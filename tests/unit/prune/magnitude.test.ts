import { describe, expect, it } from 'vitest';
import { PruneInputError, pruneMagnitude } from '../../../src/prune/methods/magnitude';
import { NMDivisibilityError } from '../../../src/prune/methods/nm';
import { Rng } from '../../../src/core/rng';
import { isExactNM, zerosPerRow } from './helpers';

describe('magnitude pruning (Wanda repo prune_magnitude)', () => {
  const rng = new Rng(21);
  const out = 29;
  const inF = 52;
  const w = rng.normalArray(out * inF);
  const layer = { w, out, in: inF };

  it('per layer: zeros exactly floor(numel·s), all of them no larger than any kept |w|', () => {
    for (const s of [0.5, 0.3, 0.77]) {
      const r = pruneMagnitude(layer, { sparsity: s });
      expect(r.pruned).toBe(Math.floor(out * inF * s));
      let maxPruned = 0;
      let minKept = Infinity;
      for (let i = 0; i < w.length; i++) {
        if (r.mask[i]) {
          maxPruned = Math.max(maxPruned, Math.abs(w[i]));
          expect(r.weights[i]).toBe(0);
        } else {
          minKept = Math.min(minKept, Math.abs(w[i]));
          expect(r.weights[i]).toBe(w[i]);
        }
      }
      expect(maxPruned).toBeLessThan(minKept);
      // per-layer, not per-row: rows end up with different counts on random weights
      expect(new Set(zerosPerRow(r.mask, out, inF)).size).toBeGreaterThan(1);
    }
    expect(w[0]).not.toBe(0); // input untouched (pure function)
  });

  it("'leq' rule reproduces the reference `W_metric <= sort(|W|)[int(numel·s)]`: one extra zero (no ties)", () => {
    const r = pruneMagnitude(layer, { sparsity: 0.5, thresholdRule: 'leq' });
    expect(r.pruned).toBe(Math.floor(out * inF * 0.5) + 1);
  });

  it('ties at the threshold are broken by flat index (stable), count still exact', () => {
    const wt = Float32Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 1 : 2) * (i % 3 === 0 ? -1 : 1));
    const r = pruneMagnitude({ w: wt, out: 4, in: 10 }, { sparsity: 0.2 }); // 8 zeros among the ten |w| = 1
    expect(r.pruned).toBe(8);
    const ones = [...wt.keys()].filter((i) => Math.abs(wt[i]) === 1);
    expect(ones.slice(0, 8).every((i) => r.mask[i] === 1)).toBe(true);
    expect(ones.slice(8).every((i) => r.mask[i] === 0)).toBe(true);
  });

  it('per row: every row has floor(in·s) zeros', () => {
    const r = pruneMagnitude(layer, { sparsity: 0.5, granularity: 'row' });
    expect(zerosPerRow(r.mask, out, inF)).toEqual(new Array(out).fill(Math.floor(inF * 0.5)));
  });

  it('N:M: exactly N zeros in every group of M, the smallest |w|', () => {
    for (const [nm, n, m] of [
      ['2:4', 2, 4],
      ['4:8', 4, 8],
    ] as const) {
      const cols = 56;
      const wl = rng.normalArray(out * cols);
      const r = pruneMagnitude({ w: wl, out, in: cols }, { nm, sparsity: 0.5 });
      expect(isExactNM(r.mask, out, cols, n, m)).toBe(true);
      for (let g = 0; g < (out * cols) / m; g++) {
        const idx = Array.from({ length: m }, (_, j) => g * m + j);
        const pr = idx.filter((i) => r.mask[i]).map((i) => Math.abs(wl[i]));
        const kp = idx.filter((i) => !r.mask[i]).map((i) => Math.abs(wl[i]));
        expect(Math.max(...pr)).toBeLessThanOrEqual(Math.min(...kp));
      }
    }
    expect(isExactNM(pruneMagnitude(layer, { nm: '2:4' }).mask, out, inF, 2, 4)).toBe(true); // 52 = 13·4
    expect(() => pruneMagnitude({ w: w.subarray(0, out * 50), out, in: 50 }, { nm: '2:4' })).toThrow(NMDivisibilityError);
  });

  it('rejects bad shapes and sparsities with named errors', () => {
    expect(() => pruneMagnitude({ w, out, in: inF + 1 }, { sparsity: 0.5 })).toThrow(PruneInputError);
    expect(() => pruneMagnitude(layer, { sparsity: 1 })).toThrow(PruneInputError);
    expect(() => pruneMagnitude(layer, {})).toThrow(PruneInputError);
  });
});
