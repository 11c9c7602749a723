import { describe, expect, it } from 'vitest';
import {
  NMDivisibilityError,
  NMPatternError,
  NMSparsityMismatchError,
  nmMaskFromScores,
  parseNM,
  validateNM,
} from '../../../src/prune/methods/nm';
import { Rng } from '../../../src/core/rng';
import { isExactNM } from './helpers';

describe('N:M helpers', () => {
  it('parses "2:4" and "4:8" and rejects malformed or impossible patterns', () => {
    expect(parseNM('2:4')).toEqual({ n: 2, m: 4 });
    expect(parseNM(' 4 : 8 ')).toEqual({ n: 4, m: 8 });
    expect(() => parseNM('2/4')).toThrow(NMPatternError);
    expect(() => parseNM('4:4')).toThrow(NMPatternError);
    expect(() => parseNM('0:4')).toThrow(NMPatternError);
    expect(() => parseNM({ n: 1.5, m: 4 })).toThrow(NMPatternError);
  });

  it('names the divisibility problem and suggests unstructured sparsity', () => {
    expect(() => validateNM({ n: 2, m: 4 }, 30)).toThrow(NMDivisibilityError);
    expect(() => validateNM({ n: 2, m: 4 }, 30)).toThrow(/in = 30.*unstructured/s);
    expect(() => validateNM({ n: 2, m: 4 }, 32, 0.6)).toThrow(NMSparsityMismatchError);
    expect(() => validateNM({ n: 2, m: 4 }, 32, 0.5)).not.toThrow();
    expect(() => validateNM({ n: 4, m: 8 }, 32)).not.toThrow();
  });

  it('prunes the N smallest per group of M, ties to the lower column', () => {
    // row 0: group [3,1,2,1] → prune cols 1 and 3 (the two 1s); group [5,5,5,5] → ties → cols 4,5
    // row 1: [0,9,0,0] → the two lowest-index zeros (8, 10); [4,3,2,1] → 14, 15
    const s = Float32Array.from([3, 1, 2, 1, 5, 5, 5, 5, 0, 9, 0, 0, 4, 3, 2, 1]);
    const mask = nmMaskFromScores(s, 2, 8, { n: 2, m: 4 });
    expect(Array.from(mask)).toEqual([0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1]);
  });

  it('gives exactly N zeros per group and prunes no score above a kept one in its group', () => {
    const rng = new Rng(11);
    const rows = 13;
    const cols = 40;
    for (const [n, m] of [
      [2, 4],
      [4, 8],
      [1, 4],
    ] as const) {
      const s = rng.normalArray(rows * cols);
      const mask = nmMaskFromScores(s, rows, cols, { n, m });
      expect(isExactNM(mask, rows, cols, n, m)).toBe(true);
      for (let r = 0; r < rows; r++) {
        for (let c0 = 0; c0 < cols; c0 += m) {
          let maxPruned = -Infinity;
          let minKept = Infinity;
          for (let j = c0; j < c0 + m; j++) {
            const v = s[r * cols + j];
            if (mask[r * cols + j]) maxPruned = Math.max(maxPruned, v);
            else minKept = Math.min(minKept, v);
          }
          expect(maxPruned).toBeLessThanOrEqual(minKept);
        }
      }
    }
  });
});
