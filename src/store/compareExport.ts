// The comparison table as files (issue #14): CSV for spreadsheets, JSON for scripts, and the mean allocation per
// linear type of each method, which the compare view also draws. Built from the rows' run reports only.
import { LINEAR_NAMES, recordLinearNames, type LinearName } from '../model/spec';
import type { CompareRow } from './compareStore';

/** The linears of the compared runs (all on one model): the first finished run's, LLaMA's before any. */
export function compareLinearNames(rows: readonly CompareRow[]): readonly LinearName[] {
  const a = rows.find((r) => r.report?.allocation.length)?.report?.allocation[0];
  return a ? recordLinearNames(a.layers) : LINEAR_NAMES;
}

/** Zeros / numel of each linear type over every block of a run (the allocation a method chose), keyed by its linears. */
export function allocationByLinear(row: CompareRow): Record<LinearName, number> | null {
  const a = row.report?.allocation;
  if (!a?.length) return null;
  return Object.fromEntries(
    recordLinearNames(a[0].layers).map((n) => {
      let zeros = 0;
      let numel = 0;
      for (const b of a) {
        zeros += b.layers[n].zeros;
        numel += b.layers[n].rows * b.layers[n].cols;
      }
      return [n, numel ? zeros / numel : 0];
    }),
  ) as Record<LinearName, number>;
}

const datasetsOf = (rows: readonly CompareRow[]) => rows.find((r) => r.report)?.report?.perplexity.dense.map((d) => d.dataset) ?? [];

/** One row per method plus the dense model: target and achieved sparsity, perplexity per dataset, time, allocation. */
export function comparisonTableCsv(rows: readonly CompareRow[]): string {
  const sets = datasetsOf(rows);
  const dense = rows.find((r) => r.report)?.report?.perplexity.dense ?? [];
  const names = compareLinearNames(rows);
  const head = [
    'method',
    'status',
    'target_sparsity',
    'achieved_sparsity',
    ...sets.map((s) => `ppl_${s}`),
    'prune_seconds',
    ...names.map((n) => `sparsity_${n}`),
    'run_id',
  ];
  const line = (cells: (string | number | null | undefined)[]) =>
    cells.map((c) => (c === null || c === undefined ? '' : String(c))).join(',');
  const out = [head.join(',')];
  if (dense.length)
    out.push(line(['dense', '', 0, 0, ...sets.map((s) => dense.find((d) => d.dataset === s)?.ppl), '', ...names.map(() => 0), '']));
  for (const r of rows) {
    const rep = r.report;
    const alloc = allocationByLinear(r);
    out.push(
      line([
        `"${r.label.replace(/"/g, '""')}"`,
        r.status,
        rep?.method.targetSparsity,
        rep?.achievedSparsity.toFixed(6),
        ...sets.map((s) => rep?.perplexity.pruned.find((p) => p.dataset === s)?.ppl),
        rep?.timing.pruneSeconds.toFixed(2),
        ...names.map((n) => alloc?.[n]?.toFixed(6)),
        r.runId,
      ]),
    );
  }
  return out.join('\n') + '\n';
}

/** The same as JSON, with each run's settings, for scripts. */
export function comparisonTableJson(rows: readonly CompareRow[]): string {
  const first = rows.find((r) => r.report)?.report;
  return JSON.stringify(
    {
      schema: 'besa-studio/comparison@1',
      model: first ? { name: first.model.name, sha256: first.model.sha256 } : null,
      dense: first?.perplexity.dense ?? [],
      rows: rows.map((r) => ({
        label: r.label,
        status: r.status,
        runId: r.runId,
        method: r.config.method,
        structure: r.config.structure,
        targetSparsity: r.report?.method.targetSparsity ?? r.config.sparsity,
        achievedSparsity: r.report?.achievedSparsity ?? null,
        perplexity: r.report?.perplexity.pruned ?? [],
        pruneSeconds: r.report?.timing.pruneSeconds ?? null,
        allocationByLinear: allocationByLinear(r),
        error: r.error,
      })),
    },
    null,
    2,
  );
}
