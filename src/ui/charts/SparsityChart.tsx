import { memo, useDeferredValue } from 'react';
import { useStore } from 'zustand';
import { configStore } from '../../store/configStore';
import { linearsOfRecord } from '../../store/linears';
import { runStore } from '../../store/runStore';
import { ChartCard } from './ChartCard';
import { LinePlot, type PlotSeries } from './LinePlot';
import { LAYER_COLORS } from './colors';
import { useShownBlock } from './useShownBlock';
import type { StepPoint } from '../../store/runStore';

const NO_STEPS: StepPoint[] = [];

/**
 * The plot, memoised: during a run the steps reach it through useDeferredValue, so React draws it in an
 * interruptible background pass after the store update (docs/speed.md §7).
 */
const SparsityLines = memo(function SparsityLines({
  steps,
  totalSteps,
  target,
}: {
  steps: StepPoint[];
  totalSteps: number;
  target: number;
}) {
  // The run's own linears (LLaMA's 7, GPT-2's 6), from the points drawn.
  const linears = linearsOfRecord(steps[0]);
  // Early on the lines differ in the 4th–5th decimal: pick enough digits for the visible range.
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of steps)
    for (const k of ['total', ...linears.names] as const) {
      lo = Math.min(lo, p[k]);
      hi = Math.max(hi, p[k]);
    }
  // The axis spans at least target ± 0.01: moves in the 6th decimal (Prodigy's warm-up) stay flat instead of
  // filling the chart as if they were signal.
  lo = Math.min(lo, target - 0.01);
  hi = Math.max(hi, target + 0.01);
  const digits = Math.min(8, Math.max(2, Math.ceil(-Math.log10(hi - lo)) + 1));
  const series: PlotSeries[] = [
    ...linears.names.map((n) => ({ key: n, label: linears.label(n), color: LAYER_COLORS[n], values: steps.map((p) => p[n]) })),
    { key: 'total', label: 'block', color: 'var(--fg, #111827)', width: 2.5, values: steps.map((p) => p.total) },
  ];
  return (
    <LinePlot
      label={`expected sparsity of the ${linears.names.length} layers over ${steps.length} steps, target ${target}`}
      series={series}
      xMax={Math.max(1, totalSteps - 1)}
      left={{ lo, hi, format: (v) => v.toFixed(digits), width: 20 + 7 * digits }}
      refLine={{ y: target, label: `target ${target}` }}
    />
  );
});

/** Expected sparsity of each linear of the inspected block over the optimiser steps (docs/besa.md §1.4). */
export function SparsityChart() {
  const shown = useShownBlock();
  const block = useStore(runStore, (s) => (shown === null ? undefined : s.blocks[shown]));
  const runTarget = useStore(runStore, (s) => s.config?.sparsity);
  const cfgTarget = useStore(configStore, (s) => s.config.sparsity);
  const target = runTarget ?? cfgTarget;
  const steps = useDeferredValue(block?.steps ?? NO_STEPS);
  return (
    <ChartCard
      id="sparsity-chart"
      testId="chart-sparsity"
      json={{ block: shown, points: steps.length }}
      title={`Expected sparsity per layer — block ${shown ?? '–'}`}
      help="For each linear layer of the block: s = Σ_d p_d·cand_d, the sparsity its current probabilities over the candidate sparsities imply (mean over rows). Black: the block's parameter-weighted total, which the penalty pulls to the dashed target. The axis spans at least ±0.01 around the target, so tiny early moves look as small as they are."
    >
      {steps.length === 0 ? (
        <p className="empty">No optimiser steps for this block yet. BESA steps appear here live; one-shot methods have none.</p>
      ) : (
        <SparsityLines steps={steps} totalSteps={block?.totalSteps ?? 1} target={target} />
      )}
    </ChartCard>
  );
}
