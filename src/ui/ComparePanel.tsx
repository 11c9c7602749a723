import { useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { compareStore, COMPARE_PRESETS, type CompareRow } from '../store/compareStore';
import { runComparison, stopComparison } from '../store/actions';
import { modelStore } from '../store/modelStore';
import { runStore } from '../store/runStore';
import { allocationByLinear, compareLinearNames, comparisonTableCsv, comparisonTableJson } from '../store/compareExport';
import { linearsOf } from '../store/linears';
import { ChartCard } from './charts/ChartCard';
import { SERIES_COLORS } from './charts/colors';
import { download } from './format';
import { GenerationPanel } from './GenerationPanel';
import { SweepChart } from './charts/SweepChart';
import { DEFAULT_SWEEP, parseSparsityList, sweepCurve, SWEEP_PRESETS } from '../store/sweep';

/**
 * Why BESA's row is hardly different from Wanda's, when it is: BESA starts from Wanda's ranking with every
 * row at the target, and Prodigy's step size only grows after about 12–18 steps (Learn, chapter 4).
 */
function besaBarelyMoved(rows: CompareRow[]): string | null {
  const besa = rows.find((r) => r.config.method === 'besa' && r.report);
  if (!besa) return null;
  const steps = besa.config.besa.epochs * besa.config.nsamples;
  const alloc = allocationByLinear(besa);
  const spread = alloc ? Math.max(...Object.values(alloc)) - Math.min(...Object.values(alloc)) : 0;
  if (steps >= 32 && spread >= 0.01) return null;
  return `BESA took ${steps} optimiser steps per block and its layers differ by ${(spread * 100).toFixed(1)} points of sparsity: too short to move far from its Wanda start, so the two rows will look alike. Raise calibration samples (or epochs) to 32 steps or more to see BESA's own allocation.`;
}

/** Several methods on the same model, seed and data: perplexity table + bars, side-by-side text. */
export function ComparePanel() {
  const [picked, setPicked] = useState<string[]>(['BESA', 'Wanda', 'SparseGPT', 'Magnitude']);
  const [sweepOn, setSweepOn] = useState(false);
  const [sweepText, setSweepText] = useState(DEFAULT_SWEEP);
  const rows = useStore(compareStore, (s) => s.rows);
  const running = useStore(compareStore, (s) => s.running);
  const card = useStore(modelStore, (s) => s.card);
  const busyRun = useStore(runStore, (s) => s.status === 'running');
  const dense = rows.find((r) => r.report)?.report?.perplexity.dense ?? [];
  const sets = dense.map((d) => d.dataset);
  const chart = [
    ...dense.map((d) => ({ label: `dense`, dataset: d.dataset, ppl: d.ppl })),
    ...rows.flatMap((r) => (r.report?.perplexity.pruned ?? []).map((p) => ({ label: r.label, dataset: p.dataset, ppl: p.ppl }))),
  ].filter((x) => x.dataset === sets[0]);
  const done = rows.filter((r) => r.status === 'completed' && r.runId).map((r) => r.runId!);
  const allocated = rows.map((r) => ({ label: r.label, alloc: allocationByLinear(r) })).filter((r) => r.alloc);
  const linears = linearsOf(compareLinearNames(rows)); // the compared model's linears (LLaMA's 7, GPT-2's 6)
  const allocChart = linears.names.map((n) => ({
    layer: linears.label(n),
    ...Object.fromEntries(allocated.map((r) => [r.label, r.alloc![n]])),
  }));
  const finished = rows.some((r) => r.report);
  const shortBesa = besaBarelyMoved(rows);
  const sweep = parseSparsityList(sweepText);
  const sweepable = picked.filter((l) => SWEEP_PRESETS.some((p) => p.label === l));
  const nRuns = sweepOn ? ('values' in sweep ? sweep.values.length * sweepable.length : 0) : picked.length;
  const isSweep = useStore(compareStore, (s) => s.sweep);
  const curve = useMemo(() => (isSweep ? sweepCurve(rows) : null), [isSweep, rows]);
  return (
    <section className="panel compare" data-testid="compare-panel">
      <h2>Compare methods</h2>
      <p className="muted small">Every method runs on the same model, calibration windows (seed) and target sparsity, one after another.</p>
      <div className="presets">
        {COMPARE_PRESETS.map((p) => (
          <label key={p.label} title={`Include ${p.label} in the comparison.`}>
            <input
              type="checkbox"
              checked={picked.includes(p.label)}
              onChange={(e) => setPicked(e.target.checked ? [...picked, p.label] : picked.filter((x) => x !== p.label))}
            />{' '}
            {p.label}
          </label>
        ))}
      </div>
      <div className="sweep-controls">
        <label title="Run each chosen method at several target sparsities and draw perplexity against sparsity. N:M patterns fix their sparsity, so they are left out.">
          <input type="checkbox" data-testid="sweep-on" checked={sweepOn} onChange={(e) => setSweepOn(e.target.checked)} /> sparsity sweep
        </label>
        {sweepOn && (
          <label>
            <span className="small muted">target sparsities </span>
            <input
              type="text"
              data-testid="sweep-sparsities"
              value={sweepText}
              onChange={(e) => setSweepText(e.target.value)}
              aria-invalid={'problem' in sweep || undefined}
              aria-describedby={'problem' in sweep ? 'sweep-problem' : undefined}
            />
          </label>
        )}
        {sweepOn && 'problem' in sweep && (
          <span className="field-error" id="sweep-problem" data-testid="sweep-problem">
            {sweep.problem}
          </span>
        )}
        {sweepOn && sweepable.length < picked.length && (
          <span className="small muted">N:M rows are left out of a sweep: their sparsity is fixed.</span>
        )}
      </div>
      <div className="buttons">
        <button
          type="button"
          className="primary"
          data-testid="compare-run"
          disabled={!card || running || busyRun || nRuns === 0}
          onClick={() => void (sweepOn && 'values' in sweep ? runComparison(sweepable, sweep.values) : runComparison(picked))}
          title={`${nRuns} run${nRuns === 1 ? '' : 's'}, one after another, with the current settings otherwise.`}
        >
          {sweepOn ? `Run sweep (${nRuns} runs)` : 'Run comparison'}
        </button>
        <button type="button" disabled={!running} onClick={() => void stopComparison()}>
          Stop
        </button>
        <button
          type="button"
          data-testid="compare-csv"
          disabled={!finished}
          title="The table below as CSV: per method the target and achieved sparsity, perplexity per text, time and the mean sparsity of each linear type."
          onClick={() => download('comparison.csv', comparisonTableCsv(rows), 'text/csv')}
        >
          Table CSV
        </button>
        <button
          type="button"
          data-testid="compare-json"
          disabled={!finished}
          title="The same as JSON, with each run's method, pattern and run id."
          onClick={() => download('comparison.json', comparisonTableJson(rows), 'application/json')}
        >
          Table JSON
        </button>
      </div>
      {shortBesa && (
        <p className="notice warn" role="status" data-testid="compare-short-run">
          {shortBesa}
        </p>
      )}
      {rows.length > 0 && (
        <table
          className="compare-table"
          data-testid="compare-table"
          data-json={JSON.stringify(
            rows.map((r) => ({
              label: r.label,
              status: r.status,
              achieved: r.report?.achievedSparsity ?? null,
              ppl: r.report?.perplexity.pruned.map((p) => p.ppl) ?? [],
            })),
          )}
        >
          <thead>
            <tr>
              <th>method</th>
              <th title={`Zeros counted in the ${linears.names.length} linears of every block.`}>achieved sparsity</th>
              {sets.map((s) => (
                <th key={s} title="Perplexity after pruning (lower is better).">
                  ppl {s}
                </th>
              ))}
              <th>time</th>
              <th>status</th>
            </tr>
          </thead>
          <tbody>
            {dense.length > 0 && (
              <tr className="dense">
                <td>dense</td>
                <td>0%</td>
                {dense.map((d) => (
                  <td key={d.dataset}>{d.ppl.toFixed(3)}</td>
                ))}
                <td />
                <td />
              </tr>
            )}
            {rows.map((r) => (
              <tr key={r.label}>
                <td>{r.label}</td>
                <td>{r.report ? `${(r.report.achievedSparsity * 100).toFixed(2)}%` : ''}</td>
                {sets.map((s) => (
                  <td key={s}>{r.report?.perplexity.pruned.find((p) => p.dataset === s)?.ppl.toFixed(3) ?? ''}</td>
                ))}
                <td>{r.report ? `${r.report.timing.pruneSeconds.toFixed(1)} s` : ''}</td>
                <td title={r.error ?? undefined}>{r.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {curve && <SweepChart curve={curve} />}
      {chart.length > 1 && !curve && (
        <ChartCard
          id="ppl"
          testId="chart-compare"
          title={`Perplexity on ${sets[0]}`}
          help="Perplexity of each pruned model on the first evaluation text, with the dense model for reference. Lower is better."
        >
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={chart} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
              <XAxis dataKey="label" tick={{ fontSize: 11 }} />
              <YAxis tick={{ fontSize: 11 }} width={44} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
              <Bar dataKey="ppl" fill="#0e7490" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </ChartCard>
      )}
      {allocated.length > 0 && !isSweep && (
        <ChartCard
          id="compare-alloc"
          testId="chart-compare-alloc"
          title="Allocation per linear type"
          help="For each method, the share of zeros in each kind of linear over all blocks. One-shot methods prune every linear to the target; BESA learns where to prune more and where less."
        >
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={allocChart} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
              <XAxis dataKey="layer" tick={{ fontSize: 11 }} />
              <YAxis tick={{ fontSize: 11 }} width={44} domain={[0, 1]} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
              <Legend wrapperStyle={{ fontSize: 11 }} />
              {allocated.map((r, i) => (
                <Bar key={r.label} dataKey={r.label} fill={SERIES_COLORS[i % SERIES_COLORS.length]} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </ChartCard>
      )}
      <h3>Generations</h3>
      <GenerationPanel runIds={done} testId="compare-generation" />
    </section>
  );
}
