// Report files read back (src/prune/reportFile.ts, issues #14 and #17): a real BESA run's report.json parses
// to the same report, with its step trace, and the run store shows it like the live run (same final
// allocation, the recorded steps); a damaged report names every problem at once; 3,000 seeded mutations of
// real reports (JSON nodes and raw bytes) give only ReportFileError, each case fast, and every report that
// is accepted can be shown, exported as CSV and turned into a recipe without another error.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import type { EngineEvent } from '../../../src/prune/events';
import { runPruneJob } from '../../../src/prune/job';
import { llmCompressorRecipe, RecipeError } from '../../../src/prune/recipe';
import { allocationCsv, type RunReport } from '../../../src/prune/report';
import { parseReportFile, ReportFileError } from '../../../src/prune/reportFile';
import { TRACE_COLUMNS, TRACE_MAX_POINTS, thinRows } from '../../../src/prune/reportTrace';
import { runStore } from '../../../src/store/runStore';
import { mutateBytes, mutateJson } from '../../support/mutate';
import { dataText, loadMicro, microConfig } from './engineFixture';

export const REPORT_FUZZ_CASES = 3000;
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

async function runReport(method: 'besa' | 'wanda'): Promise<{ report: RunReport; events: EngineEvent[] }> {
  const m = await loadMicro();
  const events: EngineEvent[] = [];
  const res = await runPruneJob({
    model: m,
    config: microConfig({ method, nsamples: 4, seqlen: 24, evalWindows: 2 }),
    calibration: { id: 'sotu-calib', text: dataText('sotu-calib.txt') },
    evalData: [{ id: 'sotu-eval', text: dataText('sotu-eval.txt', 6000) }],
    onEvent: (e) => events.push(e),
  });
  return { report: JSON.parse(JSON.stringify(res.report)) as RunReport, events };
}

const besa = runReport('besa');
const wanda = runReport('wanda');

describe('report files', () => {
  it('a BESA report.json reads back as the same report; the store shows its allocation and its steps', async () => {
    const { report, events } = await besa;
    const back = parseReportFile('run.report.json', enc(report));
    expect(back).toEqual(report);
    const steps = events.filter((e) => e.type === 'step');
    expect(report.trace?.columns).toEqual(TRACE_COLUMNS);
    expect(report.trace?.blocks.map((b) => b.rows.length)).toEqual([0, 1].map((b) => steps.filter((e) => e.block === b).length));
    runStore.getState().loadReport(back, 'run.report.json');
    const s = runStore.getState();
    expect(s).toMatchObject({
      status: 'completed',
      runId: report.runId,
      reportFile: 'run.report.json',
      achievedSparsity: report.achievedSparsity,
    });
    s.blocks.forEach((b, i) => {
      expect(b.status).toBe('pruned');
      expect(b.final?.layerSparsity).toEqual(report.allocation[i].layerSparsity);
      const live = steps.filter((e) => e.block === i);
      expect(b.steps.map((p) => p.step)).toEqual(live.map((e) => e.step));
      expect(b.steps.at(-1)).toMatchObject({
        recon: live.at(-1)!.reconLoss,
        total: live.at(-1)!.blockSparsity,
        q: live.at(-1)!.layerSparsity.q,
      });
    });
    expect(s.perplexity.pruned[0].ppl).toBe(report.perplexity.pruned[0].ppl);
  });

  it('a long trace is thinned evenly to at most TRACE_MAX_POINTS rows, first and last kept', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => i);
    const t = thinRows(rows);
    expect(t).toHaveLength(TRACE_MAX_POINTS);
    expect([t[0], t.at(-1)]).toEqual([0, 999]);
    expect(thinRows(rows.slice(0, 10))).toHaveLength(10);
  });

  it('every problem of a damaged report is named at once, with the field path', async () => {
    const { report } = await wanda;
    const bad = JSON.parse(JSON.stringify(report)) as Record<string, unknown> & RunReport;
    bad.achievedSparsity = 7;
    (bad.allocation[1].layers.q as { zeros: number }).zeros = -1;
    (bad.config as { sparsity: unknown }).sparsity = 'half';
    try {
      parseReportFile('bad.json', enc(bad));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ReportFileError);
      const p = (e as ReportFileError).problems.join('\n');
      expect(p).toMatch(/^achievedSparsity must be a number from 0 to 1$/m);
      expect(p).toMatch(/^allocation\[1\]\.layers\.q\.zeros must be a whole number from 0 to 1024$/m);
      expect(p).toMatch(/^config\.sparsity is invalid/m);
      expect((e as Error).message).toMatch(/^bad\.json is not a run report this studio can show: /);
    }
    expect(() => parseReportFile('x.json', new TextEncoder().encode('{"schema":"besa-studio/run-report@9"}'))).toThrow(
      /schema is besa-studio\/run-report@9/,
    );
    expect(() => parseReportFile('x.json', new TextEncoder().encode('not json'))).toThrow(/is not JSON/);
    expect(() => parseReportFile('x.json', enc([1]))).toThrow(/not an object/);
  });

  it(`${REPORT_FUZZ_CASES} mutated reports: only ReportFileError, each case fast; accepted ones can be shown and used`, async () => {
    const sources = [(await besa).report, (await wanda).report];
    const rng = new Rng(21);
    const seen = { accepted: 0, refused: 0 };
    let slowest = 0;
    for (let i = 0; i < REPORT_FUZZ_CASES; i++) {
      const src = sources[i % 2];
      const bytes = rng.next() < 0.7 ? enc(mutateJson(src, rng)) : mutateBytes(enc(src), rng);
      const t0 = performance.now();
      try {
        const r = parseReportFile(`case-${i}.json`, bytes);
        runStore.getState().loadReport(r, `case-${i}.json`);
        allocationCsv(r);
        try {
          llmCompressorRecipe(r);
        } catch (e) {
          if (!(e instanceof RecipeError)) throw e;
        }
        seen.accepted++;
      } catch (e) {
        if (!(e instanceof ReportFileError)) throw new Error(`case ${i}: ${(e as Error)?.name} escaped: ${(e as Error)?.message}`);
        seen.refused++;
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    expect(seen.refused).toBeGreaterThan(REPORT_FUZZ_CASES / 3); // the mutations do reach the checks
    expect(seen.accepted).toBeGreaterThan(100); // and harmless ones pass
    expect(slowest).toBeLessThan(1000); // no case hangs (a generous bound: a case takes about a millisecond)
  });
});
