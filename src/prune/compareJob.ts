// Method comparison: every method runs through the same pipeline (runPruneJob) with the same model,
// calibration windows (same seed) and eval windows; the dense perplexity is measured once.
// One row per method: structure, achieved sparsity (zeros counted), perplexity per dataset, wall time,
// peak GPU bytes. A method without the asked N:M mode (BESA, docs/besa.md §1.10) runs unstructured (registry structureFor).
import type { ModelSpec, StoredWeights } from '../model/spec';
import type { Tokenizer } from '../model/tokenizer';
import type { MethodName, RunConfig } from './config';
import type { EngineEvent } from './events';
import type { BlockExecutor } from './executor';
import { evaluateAll, runPruneJob, type Corpus } from './job';
import type { PrunableModel } from './pipeline';
import type { ReportPerplexity, RunReport } from './report';
import { structureFor } from './methods/registry';
import { cpuForwardLogits, type ForwardLogits } from '../model/forward';

export interface CompareOptions {
  model: PrunableModel & { tokenizer: Tokenizer };
  methods: MethodName[];
  /** Shared settings; method (and structure, for a method without that N:M mode) is overridden per row. */
  base: RunConfig;
  calibration: Corpus;
  evalData: Corpus[];
  evalSeqlen?: number;
  executorFactory: () => BlockExecutor;
  forwardFactory?: (spec: ModelSpec, weights: StoredWeights) => ForwardLogits;
  onEvent?: (method: MethodName | 'dense', e: EngineEvent) => void;
  signal?: AbortSignal;
}

export interface CompareRow {
  method: MethodName;
  structure: RunConfig['structure'];
  achievedSparsity: number;
  ppl: Record<string, number>;
  wallSeconds: number;
  peakGpuBytes: number | null;
  status: RunReport['status'];
  report: RunReport;
}

export interface ComparisonResult {
  schema: 'besa-studio/comparison@1';
  model: { name: string; sha256: string };
  targetSparsity: number;
  data: { calibration: string; nsamples: number; seqlen: number; seed: number; evalSeqlen: number; evalWindows: number };
  dense: ReportPerplexity[];
  rows: CompareRow[];
}

export async function runComparison(o: CompareOptions): Promise<ComparisonResult> {
  const { model, base } = o;
  const evalSeqlen = o.evalSeqlen ?? base.seqlen;
  const forwardFactory = o.forwardFactory ?? cpuForwardLogits;
  const dense = o.evalData.length
    ? await evaluateAll(
        o.evalData,
        model.tokenizer,
        evalSeqlen,
        model.spec.vocabSize,
        forwardFactory(model.spec, model.weights),
        base.evalWindows,
        'dense',
        (e) => o.onEvent?.('dense', e),
      )
    : [];
  const rows: CompareRow[] = [];
  for (const method of o.methods) {
    if (o.signal?.aborted) break;
    const structure = structureFor(method, base.structure);
    const cfg: RunConfig = { ...base, method, structure };
    const executor = o.executorFactory();
    const res = await runPruneJob({
      model,
      config: cfg,
      calibration: o.calibration,
      evalData: o.evalData,
      evalSeqlen,
      densePerplexity: dense,
      executor,
      forwardFactory,
      onEvent: (e) => o.onEvent?.(method, e),
      signal: o.signal,
    });
    executor.dispose?.();
    const r = res.report;
    rows.push({
      method,
      structure,
      achievedSparsity: r.achievedSparsity,
      ppl: Object.fromEntries(r.perplexity.pruned.map((p) => [p.dataset, p.ppl])),
      wallSeconds: r.timing.wallSeconds,
      peakGpuBytes: r.device.peakGpuBytes,
      status: r.status,
      report: r,
    });
  }
  return {
    schema: 'besa-studio/comparison@1',
    model: { name: model.name, sha256: model.weightsSha256 },
    targetSparsity: base.sparsity,
    data: {
      calibration: base.calibration,
      nsamples: base.nsamples,
      seqlen: base.seqlen,
      seed: base.seed,
      evalSeqlen,
      evalWindows: base.evalWindows,
    },
    dense,
    rows,
  };
}

const fmtBytes = (b: number | null) =>
  b === null ? '--' : b < 1 << 20 ? `${(b / 1024).toFixed(0)} KiB` : `${(b / (1 << 20)).toFixed(1)} MiB`;

function tableRows(c: ComparisonResult): string[][] {
  const sets = c.dense.map((d) => d.dataset);
  const head = ['method', 'structure', 'sparsity', ...sets.map((s) => `ppl ${s}`), 'wall s', 'peak GPU'];
  const denseRow = ['dense', '-', '0.0000', ...c.dense.map((d) => d.ppl.toFixed(4)), '-', '-'];
  const body = c.rows.map((r) => [
    r.method + (r.status === 'completed' ? '' : ` (${r.status})`),
    r.structure,
    r.achievedSparsity.toFixed(4),
    ...sets.map((s) => (r.ppl[s] !== undefined ? r.ppl[s].toFixed(4) : '--')),
    r.wallSeconds.toFixed(1),
    fmtBytes(r.peakGpuBytes),
  ]);
  return [head, denseRow, ...body];
}

export function comparisonTable(c: ComparisonResult): string {
  const rows = tableRows(c);
  const w = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const win = c.dense[0] ? ` (${c.dense[0].windows} windows × ${c.dense[0].seqlen}${c.dense[0].truncated ? ', truncated' : ''})` : '';
  return [
    `target sparsity ${c.targetSparsity}; calibration ${c.data.nsamples} × ${c.data.seqlen} from ${c.data.calibration}, seed ${c.data.seed}; perplexity${win}`,
    ...rows.map((r) => r.map((v, j) => (j < 2 ? v.padEnd(w[j]) : v.padStart(w[j]))).join('  ')),
  ].join('\n');
}

export function comparisonCsv(c: ComparisonResult): string {
  const sets = c.dense.map((d) => d.dataset);
  const lines = [
    ['method', 'structure', 'achieved_sparsity', ...sets.map((s) => `ppl_${s}`), 'wall_seconds', 'peak_gpu_bytes', 'status'].join(','),
  ];
  lines.push(['dense', '', '0', ...c.dense.map((d) => String(d.ppl)), '', '', 'completed'].join(','));
  for (const r of c.rows)
    lines.push(
      [
        r.method,
        r.structure,
        String(r.achievedSparsity),
        ...sets.map((s) => String(r.ppl[s] ?? '')),
        String(r.wallSeconds),
        String(r.peakGpuBytes ?? ''),
        r.status,
      ].join(','),
    );
  return lines.join('\n') + '\n';
}
