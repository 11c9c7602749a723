// The sparsity sweep's pieces (issue #14): the list the user types, the runs it queues, the curve it draws.
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../../src/prune/report';
import type { CompareRow } from '../../../src/store/compareStore';
import { STUDIO_DEFAULT } from '../../../src/store/configStore';
import { MAX_SWEEP_POINTS, parseSparsityList, sweepCurve, sweepRows, SWEEP_PRESETS } from '../../../src/store/sweep';

describe('parseSparsityList', () => {
  it('reads commas, spaces and semicolons; sorts; drops repeats', () => {
    expect(parseSparsityList('0.7, 0.3;0.5 0.3')).toEqual({ values: [0.3, 0.5, 0.7] });
  });
  it('names every value outside (0, 1) and every non-number at once', () => {
    expect(parseSparsityList('0.3, 1, x, 0')).toEqual({ problem: 'sweep sparsities "1", "x", "0": each must be a number in (0, 1)' });
    expect(parseSparsityList(' , ')).toMatchObject({ problem: expect.stringContaining('is empty') });
  });
  it(`refuses more than ${MAX_SWEEP_POINTS} points`, () => {
    const ten = Array.from({ length: 10 }, (_, i) => (i + 1) / 11).join(',');
    expect(parseSparsityList(ten)).toMatchObject({ problem: expect.stringContaining(`at most ${MAX_SWEEP_POINTS}`) });
  });
});

describe('sweepRows', () => {
  it('queues every unstructured preset at every sparsity, method by method; N:M presets are left out', () => {
    expect(SWEEP_PRESETS.some((p) => p.label.includes('2:4'))).toBe(false);
    const rows = sweepRows({ ...STUDIO_DEFAULT, nsamples: 8 }, ['Wanda', 'Magnitude', 'Wanda 2:4'], [0.3, 0.6]);
    expect(rows.map((r) => r.label)).toEqual(['Wanda @ 0.3', 'Wanda @ 0.6', 'Magnitude @ 0.3', 'Magnitude @ 0.6']);
    expect(rows.map((r) => [r.config.method, r.config.sparsity, r.config.structure, r.config.nsamples])).toEqual([
      ['wanda', 0.3, 'unstructured', 8],
      ['wanda', 0.6, 'unstructured', 8],
      ['magnitude', 0.3, 'unstructured', 8],
      ['magnitude', 0.6, 'unstructured', 8],
    ]);
    expect(rows.every((r) => r.status === 'queued' && r.report === null)).toBe(true);
  });
});

/** A finished row with the two numbers the curve reads. */
function done(preset: string, sparsity: number, ppl: number, status: RunReport['status'] = 'completed'): CompareRow {
  const report = {
    status,
    perplexity: { dense: [{ dataset: 'sotu-eval', ppl: 10 }], pruned: [{ dataset: 'sotu-eval', ppl }] },
  } as unknown as RunReport;
  return { label: `${preset} @ ${sparsity}`, preset, config: { ...STUDIO_DEFAULT, sparsity }, runId: 'r', status, report, error: null };
}

describe('sweepCurve', () => {
  it('one point per sparsity with each method’s perplexity, the dense floor, unfinished runs left out', () => {
    const rows = [
      done('Wanda', 0.3, 11),
      done('Wanda', 0.5, 14),
      done('Magnitude', 0.5, 20),
      done('Magnitude', 0.3, 12),
      done('Wanda', 0.7, 99, 'cancelled'),
    ];
    expect(sweepCurve(rows)).toEqual({
      points: [
        { sparsity: 0.3, Wanda: 11, Magnitude: 12 },
        { sparsity: 0.5, Wanda: 14, Magnitude: 20 },
      ],
      presets: ['Wanda', 'Magnitude'],
      dataset: 'sotu-eval',
      dense: 10,
    });
  });
  it('no curve from fewer than two sparsities', () => {
    expect(sweepCurve([done('Wanda', 0.5, 14), done('Magnitude', 0.5, 20)])).toBeNull();
    expect(sweepCurve([])).toBeNull();
  });
});
