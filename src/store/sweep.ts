// The sparsity sweep (issue #14): each chosen method run at several target sparsities on the same model,
// seed and data, drawn as perplexity against target sparsity, one line per method. The runs are ordinary
// compare rows (the table, CSV and JSON list them); this module builds them and reads the curve back.
import type { RunConfig } from '../prune/config';
import { COMPARE_PRESETS, type CompareRow } from './compareStore';

/** At most this many sparsities per sweep: each one is a whole run per method. */
export const MAX_SWEEP_POINTS = 9;
export const DEFAULT_SWEEP = '0.3, 0.4, 0.5, 0.6, 0.7';

/** "0.3, 0.5 0.7" → [0.3, 0.5, 0.7] sorted and without repeats, or the problem in the panel's words. */
export function parseSparsityList(text: string): { values: number[] } | { problem: string } {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
  if (!parts.length) return { problem: 'sweep sparsities is empty: list targets in (0, 1), e.g. 0.3, 0.5, 0.7' };
  const bad = parts.filter((p) => {
    const v = Number(p);
    return !Number.isFinite(v) || v <= 0 || v >= 1;
  });
  if (bad.length)
    return { problem: `sweep sparsities ${bad.map((b) => `"${b.slice(0, 12)}"`).join(', ')}: each must be a number in (0, 1)` };
  const values = [...new Set(parts.map(Number))].sort((a, b) => a - b);
  if (values.length > MAX_SWEEP_POINTS)
    return { problem: `sweep sparsities: ${values.length} values, at most ${MAX_SWEEP_POINTS} (each is one run per method)` };
  return { values };
}

/** Presets a sweep can use: an N:M pattern fixes its sparsity, so it has no curve. */
export const SWEEP_PRESETS = COMPARE_PRESETS.filter(
  (p) => p.patch({ structure: 'unstructured' } as RunConfig).structure === 'unstructured',
);

/** One queued row per (method, sparsity), method by method so a stopped sweep leaves whole curves first. */
export function sweepRows(base: RunConfig, labels: readonly string[], sparsities: readonly number[]): CompareRow[] {
  return SWEEP_PRESETS.filter((p) => labels.includes(p.label)).flatMap((p) =>
    sparsities.map((s) => ({
      label: `${p.label} @ ${s}`,
      preset: p.label,
      config: { ...p.patch(base), sparsity: s },
      runId: null,
      status: 'queued' as const,
      report: null,
      error: null,
    })),
  );
}

export interface SweepCurve {
  /** Chart rows: { sparsity, [preset]: perplexity } sorted by sparsity; a method without that point has no key. */
  points: Record<string, number>[];
  presets: string[];
  dataset: string;
  /** The dense model's perplexity on the same text (the curve's floor). */
  dense: number | null;
}

/** The finished rows' perplexity on the first evaluation text against their target sparsity; null without two points. */
export function sweepCurve(rows: readonly CompareRow[]): SweepCurve | null {
  const done = rows.filter((r) => r.report?.status === 'completed' && r.report.perplexity.pruned.length);
  if (done.length < 2) return null;
  const dataset = done[0].report!.perplexity.pruned[0].dataset;
  const bySparsity = new Map<number, Record<string, number>>();
  const presets: string[] = [];
  for (const r of done) {
    const ppl = r.report!.perplexity.pruned.find((p) => p.dataset === dataset)?.ppl;
    if (ppl === undefined) continue;
    const s = r.config.sparsity;
    const point = bySparsity.get(s) ?? { sparsity: s };
    point[r.preset] = ppl;
    bySparsity.set(s, point);
    if (!presets.includes(r.preset)) presets.push(r.preset);
  }
  const points = [...bySparsity.values()].sort((a, b) => a.sparsity - b.sparsity);
  const dense = done[0].report!.perplexity.dense.find((d) => d.dataset === dataset)?.ppl ?? null;
  return points.length < 2 ? null : { points, presets, dataset, dense };
}
