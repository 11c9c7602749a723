import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { LINEAR_NAMES } from '../../store/engineValues';
import { configStore } from '../../store/configStore';
import { runStore } from '../../store/runStore';
import { ChartCard } from './ChartCard';
import { LAYER_COLORS } from './colors';
import { useShownBlock } from './useShownBlock';

/** Expected sparsity of each linear of the inspected block over the optimiser steps (docs/besa.md §1.4). */
export function SparsityChart() {
  const shown = useShownBlock();
  const block = useStore(runStore, (s) => (shown === null ? undefined : s.blocks[shown]));
  const runTarget = useStore(runStore, (s) => s.config?.sparsity);
  const cfgTarget = useStore(configStore, (s) => s.config.sparsity);
  const target = runTarget ?? cfgTarget;
  const steps = block?.steps ?? [];
  // Early on the lines differ in the 4th–5th decimal: pick enough digits for the visible range.
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of steps)
    for (const k of ['total', ...LINEAR_NAMES] as const) {
      lo = Math.min(lo, p[k]);
      hi = Math.max(hi, p[k]);
    }
  // The axis spans at least target ± 0.01: moves in the 6th decimal (Prodigy's warm-up) stay flat instead of
  // filling the chart as if they were signal.
  lo = Math.min(lo, target - 0.01);
  hi = Math.max(hi, target + 0.01);
  const digits = Math.min(8, Math.max(2, Math.ceil(-Math.log10(hi - lo)) + 1));
  return (
    <ChartCard
      id="sparsity-chart"
      testId="chart-sparsity"
      json={{ block: shown, points: steps.length }}
      title={`Expected sparsity per layer — block ${shown ?? '–'}`}
      help="For each of the 7 linear layers: s = Σ_d p_d·cand_d, the sparsity its current probabilities over the candidate sparsities imply (mean over rows). Black: the block's parameter-weighted total, which the penalty pulls to the dashed target. The axis spans at least ±0.01 around the target, so tiny early moves look as small as they are."
    >
      {steps.length === 0 ? (
        <p className="empty">No optimiser steps for this block yet. BESA steps appear here live; one-shot methods have none.</p>
      ) : (
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={steps} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis
              dataKey="step"
              type="number"
              allowDecimals={false}
              domain={[0, Math.max(1, (block?.totalSteps ?? 1) - 1)]}
              tick={{ fontSize: 11 }}
            />
            <YAxis domain={[lo, hi]} tick={{ fontSize: 11 }} tickFormatter={(v: number) => v.toFixed(digits)} width={20 + 7 * digits} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {LINEAR_NAMES.map((n) => (
              <Line key={n} dataKey={n} stroke={LAYER_COLORS[n]} dot={false} isAnimationActive={false} strokeWidth={1.5} />
            ))}
            <Line dataKey="total" name="block" stroke="#111827" dot={false} isAnimationActive={false} strokeWidth={2.5} />
            <ReferenceLine
              y={target}
              stroke="#6b7280"
              strokeDasharray="6 4"
              label={{ value: `target ${target}`, fontSize: 10, position: 'insideTopRight' }}
            />
          </LineChart>
        </ResponsiveContainer>
      )}
    </ChartCard>
  );
}
