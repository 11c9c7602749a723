import { memo, useDeferredValue } from 'react';
import { useStore } from 'zustand';
import { runStore } from '../../store/runStore';
import { ChartCard } from './ChartCard';
import { LinePlot } from './LinePlot';
import { useShownBlock } from './useShownBlock';
import type { StepPoint } from '../../store/runStore';

const NO_STEPS: StepPoint[] = [];

/** The plot, memoised so that only a new (deferred) steps array draws it again. */
const LossLines = memo(function LossLines({ steps, totalSteps }: { steps: StepPoint[]; totalSteps: number }) {
  const recon = steps.map((p) => p.recon);
  const penalty = steps.map((p) => p.penalty);
  const [rlo, rhi] = [Math.min(...recon), Math.max(...recon)];
  const pad = (rhi - rlo) * 0.05 || Math.abs(rhi) * 0.05 || 1e-9;
  return (
    <LinePlot
      label={`reconstruction loss and penalty over ${steps.length} steps`}
      series={[
        { key: 'recon', label: 'reconstruction (left)', color: '#2563eb', width: 2, values: recon },
        { key: 'penalty', label: 'penalty (right)', color: '#dc2626', width: 2, axis: 'right', values: penalty },
      ]}
      xMax={Math.max(1, totalSteps - 1)}
      left={{ lo: rlo - pad, hi: rhi + pad, format: (v) => v.toPrecision(3), color: '#2563eb', width: 56 }}
      right={{
        lo: 0,
        hi: Math.max(...penalty) * 1.05 || 1e-12,
        format: (v) => (v === 0 ? '0' : v.toExponential(1)),
        color: '#dc2626',
        width: 56,
      }}
    />
  );
});

/** Reconstruction loss and sparsity penalty of the inspected block over the steps (docs/besa.md §1.6). */
export function LossChart() {
  const shown = useShownBlock();
  // deferred: the chart renders in an interruptible background pass during a run (docs/speed.md §7)
  const steps = useDeferredValue(useStore(runStore, (s) => (shown === null ? undefined : s.blocks[shown]?.steps)) ?? NO_STEPS);
  const totalSteps = useStore(runStore, (s) => (shown === null ? 1 : (s.blocks[shown]?.totalSteps ?? 1)));
  return (
    <ChartCard
      id="loss-chart"
      testId="chart-loss"
      json={{ block: shown, points: steps.length }}
      title={`Loss — block ${shown ?? '–'}`}
      help="Reconstruction: mean over output channels of ‖ΔY‖²/‖Y_ref‖², how far the pruned block's output is from the target. Penalty: λ·((s − target)/target)², which grows when the block is pruned more or less than the target. Two scales: reconstruction on the left, penalty on the right."
    >
      {steps.length === 0 ? (
        <p className="empty">The losses of each optimiser step appear here.</p>
      ) : (
        <LossLines steps={steps} totalSteps={totalSteps} />
      )}
    </ChartCard>
  );
}
