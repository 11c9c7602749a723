// runPruneJob + run report + comparison on the micro model: fields present and consistent with the
// returned weights (zeros counted here), event order, CSV shape, dense PPL reused across methods.
import { describe, expect, it } from 'vitest';
import { cpuForwardLogits } from '../../../src/model/forward';
import { evalWindows, tokenizeCorpus } from '../../../src/data/windows';
import { windowMeanCe } from '../../../src/eval/perplexity';
import { comparisonCsv, comparisonTable, runComparison } from '../../../src/prune/compareJob';
import { linearOf, weightsToF32, LINEAR_NAMES } from '../../../src/model/spec';
import type { EngineEvent } from '../../../src/prune/events';
import { CpuBlockExecutor } from '../../../src/prune/executor';
import { runPruneJob } from '../../../src/prune/job';
import { allocationCsv, REPORT_SCHEMA } from '../../../src/prune/report';
import { dataText, loadMicro, microConfig } from './engineFixture';

describe('run report', () => {
  it('has every field, consistent with the pruned weights and the events', async () => {
    const m = await loadMicro();
    const cfg = microConfig({ method: 'besa', nsamples: 4, seqlen: 24, evalWindows: 3 });
    const events: EngineEvent[] = [];
    const evalText = dataText('sotu-eval.txt', 8000);
    const res = await runPruneJob({
      model: m,
      config: cfg,
      calibration: { id: 'sotu-calib', text: dataText('sotu-calib.txt') },
      evalData: [{ id: 'sotu-eval', text: evalText }],
      onEvent: (e) => events.push(e),
    });
    const r = res.report;
    expect(r.schema).toBe(REPORT_SCHEMA);
    expect(r.status).toBe('completed');
    expect(r.model).toMatchObject({ name: 'micro', sha256: m.weightsSha256, nLayers: 2, dim: 32, params: 47776 });
    expect(r.data).toMatchObject({
      calibration: 'sotu-calib',
      nsamples: 4,
      seqlen: 24,
      seed: 0,
      evalSeqlen: 24,
      evalDatasets: ['sotu-eval'],
      evalWindows: 3,
    });
    expect(r.data.calibrationStarts.length).toBe(4);
    expect(r.method).toMatchObject({ name: 'besa', structure: 'unstructured', targetSparsity: 0.5 });
    expect(r.method.hyperParameters).toMatchObject({
      lambda: 5,
      dCoef: 5,
      optimizer: 'prodigy',
      granularity: 'row',
      sigmoid: true,
      candidates: 101,
    });
    expect(r.device).toEqual({ executor: 'cpu', adapter: new CpuBlockExecutor(m.spec).adapter, peakGpuBytes: null });
    expect(r.allocation.length).toBe(2);
    let z = 0;
    let n = 0;
    weightsToF32(res.weights).blocks.forEach((b, i) =>
      LINEAR_NAMES.forEach((l) => {
        const zeros = linearOf(b, l).w.filter((v) => v === 0).length;
        expect(r.allocation[i].layers[l]).toEqual({ rows: linearOf(b, l).out, cols: linearOf(b, l).in, zeros });
        z += zeros;
        n += linearOf(b, l).w.length;
      }),
    );
    expect(r.achievedSparsity).toBeCloseTo(z / n, 12);
    // perplexity: independent recomputation of the pruned PPL over the same 3 windows
    const wins = evalWindows(tokenizeCorpus(m.tokenizer, evalText), 24).slice(0, 3);
    const fwd = cpuForwardLogits(m.spec, res.weights);
    const ppl = Math.exp(wins.reduce((a, w) => a + windowMeanCe(fwd(w) as Float32Array, w, m.spec.vocabSize), 0) / 3);
    expect(r.perplexity.pruned[0]).toMatchObject({ dataset: 'sotu-eval', windows: 3, seqlen: 24, truncated: true });
    expect(Math.abs(r.perplexity.pruned[0].ppl - ppl)).toBeLessThan(1e-9 * ppl);
    expect(r.perplexity.dense[0].ppl).toBeLessThan(r.perplexity.pruned[0].ppl);
    expect(r.timing.wallSeconds).toBeGreaterThanOrEqual(r.timing.pruneSeconds);
    // events: order and agreement with the report
    const types = events.map((e) => e.type).filter((t) => t !== 'progress' && t !== 'step' && t !== 'rows');
    expect(types).toEqual([
      'run-start',
      'phase',
      'phase',
      'perplexity',
      'phase',
      'block-start',
      'block-end',
      'block-start',
      'block-end',
      'phase',
      'perplexity',
      'phase',
      'run-end',
    ]);
    expect(events.filter((e) => e.type === 'step').length).toBe(8);
    expect(events.filter((e) => e.type === 'rows').length).toBe(8); // one per-row allocation per step
    const end = events.at(-1)!;
    expect(end.type === 'run-end' && end.achievedSparsity).toBe(r.achievedSparsity);
    // CSV: header + 7 rows per block, zeros match
    const csv = allocationCsv(r).trim().split('\n');
    expect(csv.length).toBe(1 + 2 * 7);
    expect(csv[1].split(',').slice(0, 6)).toEqual(['0', 'q', '32', '32', '1024', String(r.allocation[0].layers.q.zeros)]);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r); // serialisable as is
  });

  it('compare: one dense evaluation, one row per method on the same calibration data', async () => {
    const m = await loadMicro();
    const evalData = [{ id: 'sotu-eval', text: dataText('sotu-eval.txt', 6000) }];
    const denseEvals: string[] = [];
    const c = await runComparison({
      model: m,
      methods: ['magnitude', 'wanda', 'besa'],
      base: microConfig({ nsamples: 4, seqlen: 16, evalWindows: 2, structure: '2:4' }),
      calibration: { id: 'sotu-calib', text: dataText('sotu-calib.txt') },
      evalData,
      executorFactory: () => new CpuBlockExecutor(m.spec),
      onEvent: (who, e) => e.type === 'perplexity' && e.stage === 'dense' && denseEvals.push(who),
    });
    expect(denseEvals).toEqual(['dense']);
    expect(c.rows.map((r) => [r.method, r.structure])).toEqual([
      ['magnitude', '2:4'],
      ['wanda', '2:4'],
      ['besa', 'unstructured'],
    ]);
    expect(c.rows[0].achievedSparsity).toBe(0.5);
    for (const r of c.rows) expect(r.ppl['sotu-eval']).toBeGreaterThan(1);
    expect(comparisonTable(c)).toMatch(/wanda\s+2:4\s+0\.5000/);
    expect(comparisonCsv(c).trim().split('\n').length).toBe(2 + 3);
  });
});
