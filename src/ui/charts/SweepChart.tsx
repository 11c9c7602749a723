// The sparsity sweep's result (issue #14): perplexity against target sparsity, one line per method, the
// dense model as a floor. Perplexity grows roughly exponentially with sparsity, hence the log axis.
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SweepCurve } from '../../store/sweep';
import { ChartCard } from './ChartCard';
import { SERIES_COLORS } from './colors';

export function SweepChart({ curve }: { curve: SweepCurve }) {
  const xs = curve.points.map((p) => p.sparsity);
  // The axis spans every point and the dense floor, with a margin, so no line touches the frame.
  const ys = curve.points.flatMap((p) => curve.presets.map((m) => p[m]).filter((v) => v !== undefined));
  const lo = Math.min(...ys, curve.dense ?? Infinity) / 1.08;
  const hi = Math.max(...ys) * 1.08;
  const yTicks = Array.from({ length: 5 }, (_, i) => lo * (hi / lo) ** (i / 4)); // evenly spaced on the log axis
  return (
    <ChartCard
      id="compare-sweep"
      testId="chart-sweep"
      title={`Perplexity vs target sparsity on ${curve.dataset}`}
      help="Each point is one whole run at that target sparsity: same model, seed and calibration data for every method. Lower is better; the dashed line is the dense model. The perplexity axis is logarithmic."
      json={curve}
    >
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={curve.points} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis dataKey="sparsity" type="number" domain={[Math.min(...xs), Math.max(...xs)]} ticks={xs} tick={{ fontSize: 11 }} />
          <YAxis
            scale="log"
            domain={[lo, hi]}
            ticks={yTicks}
            allowDataOverflow
            tick={{ fontSize: 11 }}
            width={52}
            tickFormatter={(v: number) => v.toPrecision(3)}
          />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} labelFormatter={(s) => `target sparsity ${s}`} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {curve.dense !== null && (
            <ReferenceLine y={curve.dense} stroke="#7f7f7f" strokeDasharray="4 4" label={{ value: 'dense', fontSize: 10 }} />
          )}
          {curve.presets.map((p, i) => (
            <Line key={p} dataKey={p} stroke={SERIES_COLORS[i % SERIES_COLORS.length]} connectNulls dot isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
