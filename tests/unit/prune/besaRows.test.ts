// The 'rows' event (per-row expected sparsities s_r, docs/besa.md §1.4) on the micro model: one per optimiser
// step right after its 'step', [rows] per linear row-wise and [1] layer-wise, mean over rows = the step's
// layerSparsity, parameter-weighted over the 7 linears = its blockSparsity; none for one-shot methods;
// the CLI reporter prints nothing for it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stderrReporter } from '../../../src/cli/common';
import { linearOf, LINEAR_NAMES } from '../../../src/model/spec';
import type { EngineEvent } from '../../../src/prune/events';
import { CpuBlockExecutor } from '../../../src/prune/executor';
import { runPipeline } from '../../../src/prune/pipeline';
import type { RunConfig } from '../../../src/prune/config';
import { calibIds, loadMicro, microConfig } from './engineFixture';

type Ev<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

async function events(over: Partial<RunConfig>): Promise<EngineEvent[]> {
  const m = await loadMicro();
  const cfg = microConfig(over);
  const out: EngineEvent[] = [];
  await runPipeline({
    model: m,
    config: cfg,
    calibrationIds: calibIds(m, cfg),
    executor: new CpuBlockExecutor(m.spec),
    onEvent: (e) => out.push(e),
  });
  return out;
}

const avg = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0) / a.length;

describe("BESA 'rows' events (micro model, CPU executor)", () => {
  afterEach(() => vi.restoreAllMocks());

  it('row-wise: one per step right after it, [out] per linear, means equal layerSparsity and blockSparsity', async () => {
    const m = await loadMicro();
    const ev = await events({ method: 'besa', nsamples: 3, seqlen: 20 });
    const steps = ev.filter((e): e is Ev<'step'> => e.type === 'step');
    const rows = ev.filter((e): e is Ev<'rows'> => e.type === 'rows');
    expect(steps.length).toBe(m.spec.nLayers * 3);
    expect(rows.length).toBe(steps.length);
    ev.forEach((e, i) => {
      if (e.type !== 'step') return;
      const r = ev[i + 1];
      expect(r.type).toBe('rows'); // immediately after its step
      if (r.type !== 'rows') return;
      expect([r.block, r.step]).toEqual([e.block, e.step]);
      const blk = m.weights.blocks[e.block];
      let num = 0;
      let den = 0;
      for (const n of LINEAR_NAMES) {
        const s = r.rows[n];
        expect(s.length).toBe(linearOf(blk, n).out);
        // every row of a linear has C = in weights, so the parameter-weighted mean over rows is the plain mean
        expect(Math.abs(avg(s) - e.layerSparsity[n])).toBeLessThan(1e-6);
        for (const v of s) expect(v > 0 && v < 1).toBe(true);
        num += linearOf(blk, n).out * linearOf(blk, n).in * avg(s);
        den += linearOf(blk, n).out * linearOf(blk, n).in;
        if (e.step === 0) {
          // θ = 0 → uniform p → every row the same s = mean(cand) = 0.5 (docs/besa.md §1.4; p is stored as f32, §7.2)
          expect(new Set(s).size).toBe(1);
          expect(Math.abs(s[0] - 0.5)).toBeLessThan(1e-6);
        }
      }
      expect(Math.abs(num / den - e.blockSparsity)).toBeLessThan(1e-6);
    });
    // After a step the rows are no longer a broadcast of the mean: the allocation is per row.
    for (const r of rows.filter((x) => x.step > 0)) expect(LINEAR_NAMES.some((n) => new Set(r.rows[n]).size > 1)).toBe(true);
    // Each event owns its arrays (a consumer may keep the latest): step 0's rows are still uniform at the end.
    const first = rows.find((r) => r.block === 0 && r.step === 0)!;
    const second = rows.find((r) => r.block === 0 && r.step === 1)!;
    for (const n of LINEAR_NAMES) {
      expect(second.rows[n]).not.toBe(first.rows[n]);
      expect(new Set(first.rows[n]).size).toBe(1);
    }
  });

  it('layer-wise: one value per linear, equal to layerSparsity; one-shot methods emit none', async () => {
    const ev = await events({ method: 'besa', nsamples: 2, seqlen: 16, besa: { granularity: 'layer' } as RunConfig['besa'] });
    const rows = ev.filter((e): e is Ev<'rows'> => e.type === 'rows');
    const steps = ev.filter((e): e is Ev<'step'> => e.type === 'step');
    expect(rows.length).toBe(steps.length);
    rows.forEach((r, i) => {
      for (const n of LINEAR_NAMES) {
        expect(r.rows[n].length).toBe(1);
        expect(Math.abs(r.rows[n][0] - steps[i].layerSparsity[n])).toBeLessThan(1e-6);
      }
    });
    const wanda = await events({ method: 'wanda', nsamples: 2, seqlen: 16 });
    expect(wanda.some((e) => e.type === 'rows')).toBe(false);
  });

  it('the CLI stderr reporter prints nothing for a rows event', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const rows = Object.fromEntries(LINEAR_NAMES.map((n) => [n, new Float64Array([0.5, 0.5])])) as Ev<'rows'>['rows'];
    stderrReporter()({ type: 'rows', block: 0, step: 0, rows });
    expect(write).not.toHaveBeenCalled();
    stderrReporter()({ type: 'log', level: 'info', message: 'x' }); // the spy does see real output
    expect(write).toHaveBeenCalled();
  });
});
