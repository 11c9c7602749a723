import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { runStore } from '../../store/runStore';
import { ChartCard } from './ChartCard';
import { useShownBlock } from './useShownBlock';

/** Reconstruction loss and sparsity penalty of the inspected block over the steps (docs/besa.md §1.6). */
export function LossChart() {
  const shown = useShownBlock();
  const steps = useStore(runStore, (s) => (shown === null ? undefined : s.blocks[shown]?.steps)) ?? [];
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
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={steps} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis dataKey="step" type="number" allowDecimals={false} domain={[0, Math.max(1, totalSteps - 1)]} tick={{ fontSize: 11 }} />
            <YAxis
              yAxisId="rec"
              domain={['auto', 'auto']}
              tick={{ fontSize: 11, fill: '#2563eb' }}
              tickFormatter={(v: number) => v.toPrecision(3)}
              width={56}
            />
            <YAxis
              yAxisId="pen"
              orientation="right"
              domain={[0, 'auto']}
              tick={{ fontSize: 11, fill: '#dc2626' }}
              tickFormatter={(v: number) => (v === 0 ? '0' : v.toExponential(1))}
              width={56}
            />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toExponential(3) : String(v))} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            <Line
              yAxisId="rec"
              dataKey="recon"
              name="reconstruction (left)"
              stroke="#2563eb"
              dot={false}
              isAnimationActive={false}
              strokeWidth={2}
            />
            <Line
              yAxisId="pen"
              dataKey="penalty"
              name="penalty (right)"
              stroke="#dc2626"
              dot={false}
              isAnimationActive={false}
              strokeWidth={2}
            />
          </LineChart>
        </ResponsiveContainer>
      )}
    </ChartCard>
  );
}
