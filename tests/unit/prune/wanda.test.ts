import { describe, expect, it } from 'vitest';
import { pruneWanda, wandaScores } from '../../../src/prune/methods/wanda';
import { WandaStats } from '../../../src/prune/methods/stats';
import { PruneInputError } from '../../../src/prune/methods/magnitude';
import { NMDivisibilityError, NMSparsityMismatchError } from '../../../src/prune/methods/nm';
import { Rng } from '../../../src/core/rng';
import { correlatedInputs, isExactNM, zerosPerRow } from './helpers';

/** Independent oracle: Array.prototype.sort is stable (ES2019), like torch.sort(stable=True). */
function stableSortMask(scores: Float32Array, rows: number, cols: number, s: number): Uint8Array {
  const mask = new Uint8Array(rows * cols);
  const k = Math.floor(cols * s);
  for (let r = 0; r < rows; r++) {
    const idx = Array.from({ length: cols }, (_, j) => j).sort((a, b) => scores[r * cols + a] - scores[r * cols + b]);
    for (let j = 0; j < k; j++) mask[r * cols + idx[j]] = 1;
  }
  return mask;
}

describe('Wanda (prune_wanda, per-output-row comparison group)', () => {
  const rng = new Rng(5);
  const out = 31;
  const inF = 68;
  const seqs = correlatedInputs(rng, 4, 19, inF);
  const stats = new WandaStats(inF);
  for (const x of seqs) stats.addBatch(x);
  const w = rng.normalArray(out * inF);
  const layer = { w, out, in: inF };

  it('S = |W| · sqrt(scaler_row) in f32', () => {
    const S = wandaScores(layer, stats.scalerRow);
    for (let i = 0; i < S.length; i += 7) {
      const j = i % inF;
      expect(S[i]).toBeCloseTo(Math.abs(w[i]) * Math.sqrt(stats.scalerRow[j]), 5);
    }
  });

  it('every row has exactly floor(in·s) zeros, matching a stable sort of the scores', () => {
    for (const s of [0.5, 0.6, 0.33]) {
      const r = pruneWanda(layer, stats.scalerRow, { sparsity: s, returnScores: true });
      expect(zerosPerRow(r.mask, out, inF)).toEqual(new Array(out).fill(Math.floor(inF * s)));
      expect(Array.from(r.mask)).toEqual(Array.from(stableSortMask(r.scores!, out, inF, s)));
      for (let i = 0; i < w.length; i++) expect(r.weights[i]).toBe(r.mask[i] ? 0 : w[i]);
    }
  });

  it('ties (quantised weights, equal norms) resolve to the lower column like torch.sort(stable=True)', () => {
    const wq = Float32Array.from(w, (v) => Math.round(v * 2) / 2);
    const flat = new Float64Array(inF).fill(2.25);
    const r = pruneWanda({ w: wq, out, in: inF }, flat, { sparsity: 0.5, returnScores: true });
    expect(Array.from(r.mask)).toEqual(Array.from(stableSortMask(r.scores!, out, inF, 0.5)));
  });

  it('uses the activation norms: a column with a huge norm is never pruned', () => {
    const sr = Float64Array.from(stats.scalerRow);
    sr[7] = 1e12;
    const r = pruneWanda(layer, sr, { sparsity: 0.5 });
    for (let row = 0; row < out; row++) expect(r.mask[row * inF + 7]).toBe(0);
  });

  it('N:M 2:4 and 4:8: exactly N zeros in every group of M per row', () => {
    const r24 = pruneWanda(layer, stats.scalerRow, { nm: '2:4' });
    expect(isExactNM(r24.mask, out, inF, 2, 4)).toBe(true);
    // 68 % 8 = 4: 4:8 cannot tile these rows, which must be refused, not silently truncated
    expect(() => pruneWanda(layer, stats.scalerRow, { nm: '4:8' })).toThrow(NMDivisibilityError);
    const w72 = rng.normalArray(out * 72);
    const sr72 = Float64Array.from({ length: 72 }, () => 0.1 + rng.next());
    const r48 = pruneWanda({ w: w72, out, in: 72 }, sr72, { nm: '4:8', sparsity: 0.5 });
    expect(isExactNM(r48.mask, out, 72, 4, 8)).toBe(true);
  });

  it('rejects mismatched statistics, N:M/sparsity conflicts and indivisible widths', () => {
    expect(() => pruneWanda(layer, stats.scalerRow.subarray(1), { sparsity: 0.5 })).toThrow(PruneInputError);
    expect(() => pruneWanda(layer, stats.scalerRow, { nm: '2:4', sparsity: 0.6 })).toThrow(NMSparsityMismatchError);
  });
});
