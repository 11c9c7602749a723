// The studio on a GPT-2 run (docs/gpt2.md §3): the run store, the report trace, the report file, the compare
// exports and the recipe take the model's own 6 linears (q k v o fc proj) from the data, show HF's names
// (c_attn.q … mlp.c_proj) where the charts label them, and have no gate/up/down anywhere; a LLaMA run keeps
// its 7 and its short names. Fed by a real BESA and Wanda job on the tiny GPT-2 fixture (tests/fixtures/gpt2-tiny)
// and by hand-made event streams.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { loadModel } from '../../../src/model/loader';
import { nodeDirSource } from '../../../src/model/sourceNode';
import { GPT2_LINEAR_NAMES, LINEAR_NAMES, type LinearName } from '../../../src/model/spec';
import type { RunConfig } from '../../../src/prune/config';
import type { EngineEvent, LayerSparsity } from '../../../src/prune/events';
import { runPruneJob, type PruneJob } from '../../../src/prune/job';
import { llmCompressorRecipe } from '../../../src/prune/recipe';
import { allocationCsv, type RunReport } from '../../../src/prune/report';
import { parseReportFile, ReportFileError } from '../../../src/prune/reportFile';
import {
  GPT2_TRACE_COLUMNS,
  reportLinearNames,
  StepTraceRecorder,
  TRACE_COLUMNS,
  traceColumns,
  traceLinearNames,
} from '../../../src/prune/reportTrace';
import { allocationByLinear, compareLinearNames, comparisonTableCsv, comparisonTableJson } from '../../../src/store/compareExport';
import type { CompareRow } from '../../../src/store/compareStore';
import { STUDIO_DEFAULT } from '../../../src/store/configStore';
import { GPT2_LINEARS, LLAMA_LINEARS, linearsOf, linearsOfFamily, linearsOfRecord, shownLinears } from '../../../src/store/linears';
import { runStore } from '../../../src/store/runStore';
import { labelWidth } from '../../../src/ui/charts/rowCells';
import { microConfig, ROOT } from '../prune/engineFixture';

const GPT2_DIR = join(ROOT, 'tests/fixtures/gpt2-tiny');
const LLAMA_ONLY = /\b(gate|up|down)\b/;
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

async function gpt2Job(over: Partial<RunConfig>): Promise<{ report: RunReport; events: EngineEvent[] }> {
  const model = await loadModel(nodeDirSource(GPT2_DIR), { tokenizerOptional: true });
  const rng = new Rng(5);
  const ids = Int32Array.from({ length: 4000 }, () => rng.int(model.spec.vocabSize));
  const events: EngineEvent[] = [];
  const res = await runPruneJob({
    model: model as PruneJob['model'],
    config: microConfig({ nsamples: 4, seqlen: 16, ...over }),
    calibration: { id: 'random-ids', ids },
    onEvent: (e) => events.push(e),
  });
  return { report: JSON.parse(JSON.stringify(res.report)) as RunReport, events };
}

const besa = gpt2Job({ method: 'besa', besa: { ...microConfig().besa, epochs: 1 } });
const wanda = gpt2Job({ method: 'wanda' });

const ls = (names: readonly LinearName[], x: number) => Object.fromEntries(names.map((n) => [n, x])) as LayerSparsity;
const rowsOf = (names: readonly LinearName[], x: number) =>
  Object.fromEntries(names.map((n) => [n, new Float64Array(3).fill(x)])) as Record<LinearName, Float64Array>;

/** run-start, one block's start, two steps with their rows and its end, all keyed by `names`. */
function stream(names: readonly LinearName[]): EngineEvent[] {
  const step = (i: number): EngineEvent[] => [
    {
      type: 'step',
      block: 0,
      step: i,
      totalSteps: 2,
      reconLoss: 1,
      penalty: 0,
      layerSparsity: ls(names, 0.5 + i / 100),
      blockSparsity: 0.5,
    },
    { type: 'rows', block: 0, step: i, rows: rowsOf(names, 0.5 + i / 100) },
  ];
  return [
    {
      type: 'run-start',
      runId: 'r',
      config: STUDIO_DEFAULT,
      model: { name: 'm', sha256: 'h', nLayers: 2, params: 1 },
      adapter: 'cpu',
      startBlock: 0,
    },
    { type: 'block-start', block: 0, nBlocks: 2, totalSteps: 2 },
    ...step(0),
    ...step(1),
    {
      type: 'block-end',
      block: 0,
      layerSparsity: ls(names, 0.5),
      blockSparsity: 0.5,
      lossBefore: 1,
      lossAfter: 1,
      seconds: 1,
      etaSeconds: 1,
    },
  ];
}

describe('the studio on GPT-2: linear names', () => {
  it("GPT-2's 6 linears show HF's module names; LLaMA's 7 their short names", () => {
    expect(GPT2_LINEARS.names).toEqual(['q', 'k', 'v', 'o', 'fc', 'proj']);
    expect(GPT2_LINEARS.labels).toEqual(['c_attn.q', 'c_attn.k', 'c_attn.v', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj']);
    expect(GPT2_LINEARS.label('proj')).toBe('mlp.c_proj');
    expect(LLAMA_LINEARS.labels).toEqual([...LINEAR_NAMES]);
    expect(linearsOf(GPT2_LINEAR_NAMES)).toBe(GPT2_LINEARS);
    expect(linearsOfRecord({ q: 0, fc: 0 })).toBe(GPT2_LINEARS);
    expect(linearsOfRecord({ q: 0, gate: 0 })).toBe(LLAMA_LINEARS);
    expect(linearsOfFamily('gpt2')).toBe(GPT2_LINEARS);
    expect(linearsOfFamily('qwen2')).toBe(LLAMA_LINEARS);
    // the run's own linears win over the loaded model's; with none, the model's; with no model, LLaMA's
    expect(shownLinears(GPT2_LINEAR_NAMES, 'llama')).toBe(GPT2_LINEARS);
    expect(shownLinears(null, 'gpt2')).toBe(GPT2_LINEARS);
    expect(shownLinears(null, undefined)).toBe(LLAMA_LINEARS);
    // the row view's name column fits the longer names, and stays as it was for LLaMA's
    expect(labelWidth(LLAMA_LINEARS)).toBe(38);
    expect(labelWidth(GPT2_LINEARS)).toBeGreaterThanOrEqual(11 * 6.4);
  });

  it('the run store keeps the linears of the events it is fed, and its steps carry fc/proj', () => {
    const s = runStore.getState();
    for (const e of stream(GPT2_LINEAR_NAMES)) s.ingest(e);
    let st = runStore.getState();
    expect(st.linears).toBe(GPT2_LINEAR_NAMES);
    expect(Object.keys(st.blocks[0].steps[1])).toEqual(expect.arrayContaining(['fc', 'proj']));
    expect(st.blocks[0].steps[1]).not.toHaveProperty('gate');
    expect(Object.keys(st.rowAlloc[0].rows)).toEqual([...GPT2_LINEAR_NAMES]);
    expect(st.blocks[0].final?.layerSparsity).toEqual(ls(GPT2_LINEAR_NAMES, 0.5));
    // a new run starts without linears until its first record; clear() too
    s.ingest(stream(LINEAR_NAMES)[0]);
    expect(runStore.getState().linears).toBeNull();
    for (const e of stream(LINEAR_NAMES).slice(1)) s.ingest(e);
    st = runStore.getState();
    expect(st.linears).toBe(LINEAR_NAMES);
    s.clear(2);
    expect(runStore.getState().linears).toBeNull();
  });

  it("the trace recorder writes GPT-2's columns for a GPT-2 run and LLaMA's, as before, for LLaMA", () => {
    const rec = (names: readonly LinearName[]) => {
      const r = new StepTraceRecorder();
      for (const e of stream(names)) r.add(e);
      return r.trace();
    };
    const g = rec(GPT2_LINEAR_NAMES);
    expect(g.columns).toEqual(['step', 'recon', 'penalty', 'total', 'q', 'k', 'v', 'o', 'fc', 'proj']);
    expect(g.columns).toBe(GPT2_TRACE_COLUMNS);
    expect(g.blocks[0].rows[1]).toEqual([1, 1, 0, 0.5, ...GPT2_LINEAR_NAMES.map(() => 0.51)]);
    expect(g.blocks[0].rows.every((r) => r.length === 10 && r.every(Number.isFinite))).toBe(true);
    const l = rec(LINEAR_NAMES);
    expect(l.columns).toBe(TRACE_COLUMNS);
    expect(l.columns).toEqual(['step', 'recon', 'penalty', 'total', 'q', 'k', 'v', 'o', 'gate', 'up', 'down']);
    // a one-shot run has no steps: its columns come from the block-end
    const oneShot = new StepTraceRecorder();
    oneShot.add(stream(GPT2_LINEAR_NAMES).at(-1)!);
    expect(oneShot.trace()).toEqual({ columns: GPT2_TRACE_COLUMNS, blocks: [] });
    expect(new StepTraceRecorder().trace().columns).toBe(TRACE_COLUMNS); // nothing seen: LLaMA's, as before
    expect(new StepTraceRecorder(GPT2_LINEAR_NAMES).trace().columns).toBe(GPT2_TRACE_COLUMNS);
    expect(traceColumns(GPT2_LINEAR_NAMES)).toBe(GPT2_TRACE_COLUMNS);
    expect(traceLinearNames(TRACE_COLUMNS)).toBe(LINEAR_NAMES);
    expect(traceLinearNames(GPT2_TRACE_COLUMNS)).toBe(GPT2_LINEAR_NAMES);
  });

  it('a report without fc anywhere (an older or a LLaMA one) is LLaMA', () => {
    const layers = Object.fromEntries(LINEAR_NAMES.map((n) => [n, { rows: 1, cols: 1, zeros: 0 }]));
    expect(reportLinearNames({ model: {}, allocation: [{ layers }] } as unknown as RunReport)).toBe(LINEAR_NAMES);
    expect(reportLinearNames({ model: {}, allocation: [] } as unknown as RunReport)).toBe(LINEAR_NAMES);
    expect(reportLinearNames({ model: { family: 'gpt2' }, allocation: [] } as unknown as RunReport)).toBe(GPT2_LINEAR_NAMES);
    const trace = { columns: GPT2_TRACE_COLUMNS, blocks: [] };
    expect(reportLinearNames({ model: {}, allocation: [], trace } as unknown as RunReport)).toBe(GPT2_LINEAR_NAMES);
  });
});

describe('the studio on GPT-2: a real run on the tiny fixture', () => {
  it("BESA's report has GPT-2's trace columns, reads back from its file, and the store shows its 6 linears", async () => {
    const { report, events } = await besa;
    expect(report.model.family).toBe('gpt2');
    expect(report.trace?.columns).toEqual(GPT2_TRACE_COLUMNS);
    expect(report.trace?.blocks.length).toBe(2);
    for (const b of report.trace!.blocks)
      expect(b.rows.every((r) => r.length === GPT2_TRACE_COLUMNS.length && r.every(Number.isFinite))).toBe(true);
    const back = parseReportFile('gpt2.report.json', enc(report));
    expect(back).toEqual(report);
    runStore.getState().loadReport(back, 'gpt2.report.json');
    const s = runStore.getState();
    expect(s.linears).toEqual([...GPT2_LINEAR_NAMES]);
    const steps = events.filter((e): e is Extract<EngineEvent, { type: 'step' }> => e.type === 'step');
    s.blocks.forEach((b, i) => {
      expect(b.status).toBe('pruned');
      expect(Object.keys(b.final!.layerSparsity)).toEqual([...GPT2_LINEAR_NAMES]);
      const last = steps.filter((e) => e.block === i).at(-1)!;
      expect(b.steps.at(-1)).toMatchObject({ fc: last.layerSparsity.fc, proj: last.layerSparsity.proj, q: last.layerSparsity.q });
      expect(b.steps.at(-1)).not.toHaveProperty('gate');
    });
    // the per-linear CSV of the report names the 6 (report.ts), the recipe the 4 HF modules per layer
    const csvLayers = new Set(
      allocationCsv(report)
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[1]),
    );
    expect([...csvLayers]).toEqual([...GPT2_LINEAR_NAMES]);
    const recipe = llmCompressorRecipe(report);
    expect(recipe).toContain("'transformer.h.1.attn.c_attn'");
    expect(recipe).toContain("'transformer.h.1.mlp.c_proj'");
    expect(recipe).not.toMatch(/model\.layers|gate_proj|up_proj|down_proj/);
  });

  it("a GPT-2 report whose trace has LLaMA's columns (or rows of the wrong width) is refused by name", async () => {
    const { report } = await besa;
    const bad = JSON.parse(JSON.stringify(report)) as RunReport & { trace: { columns: string[]; blocks: { rows: number[][] }[] } };
    bad.trace.columns = [...TRACE_COLUMNS];
    expect(() => parseReportFile('bad.json', enc(bad))).toThrow(ReportFileError);
    expect(() => parseReportFile('bad.json', enc(bad))).toThrow(/trace\.columns must be step, recon, penalty, total, q, k, v, o, fc, proj/);
    const short = JSON.parse(JSON.stringify(report)) as typeof bad;
    short.trace.blocks[0].rows[0].push(0);
    expect(() => parseReportFile('short.json', enc(short))).toThrow(/trace\.blocks\[0\]\.rows\[0\] must be 10 numbers/);
  });

  it("the comparison CSV and JSON have one column per GPT-2 linear and none of LLaMA's", async () => {
    const rows: CompareRow[] = [
      {
        label: 'BESA',
        preset: 'BESA',
        config: (await besa).report.config,
        runId: 'b',
        status: 'completed',
        report: (await besa).report,
        error: null,
      },
      {
        label: 'Wanda',
        preset: 'Wanda',
        config: (await wanda).report.config,
        runId: 'w',
        status: 'completed',
        report: (await wanda).report,
        error: null,
      },
      { label: 'Magnitude', preset: 'Magnitude', config: STUDIO_DEFAULT, runId: null, status: 'queued', report: null, error: null },
    ];
    expect(compareLinearNames(rows)).toEqual([...GPT2_LINEAR_NAMES]);
    const alloc = allocationByLinear(rows[1])!;
    expect(Object.keys(alloc)).toEqual([...GPT2_LINEAR_NAMES]);
    for (const n of GPT2_LINEAR_NAMES) expect(alloc[n]).toBeCloseTo(0.5, 6); // Wanda: every linear at the target
    const csv = comparisonTableCsv(rows).trim().split('\n');
    const head = csv[0].split(',');
    expect(head.filter((h) => h.startsWith('sparsity_'))).toEqual(GPT2_LINEAR_NAMES.map((n) => `sparsity_${n}`));
    expect(csv[0]).not.toMatch(LLAMA_ONLY);
    for (const line of csv) expect(line.split(',')).toHaveLength(head.length);
    const wandaLine = csv.find((l) => l.startsWith('"Wanda"'))!.split(',');
    expect(Number(wandaLine[head.indexOf('sparsity_fc')])).toBeCloseTo(0.5, 6);
    const json = JSON.parse(comparisonTableJson(rows)) as { rows: { allocationByLinear: Record<string, number> | null }[] };
    expect(Object.keys(json.rows[0].allocationByLinear!)).toEqual([...GPT2_LINEAR_NAMES]);
    expect(json.rows[2].allocationByLinear).toBeNull();
    // no finished run yet: LLaMA's columns, as before
    expect(compareLinearNames([rows[2]])).toBe(LINEAR_NAMES);
  });
});
