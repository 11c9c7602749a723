import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { LINEAR_NAMES } from '../../store/engineValues';
import { runStore } from '../../store/runStore';
import { ChartCard } from './ChartCard';

/** Mean measured sparsity of each layer type over the pruned blocks, next to a uniform allocation. */
export function AllocationBars() {
  const blocks = useStore(runStore, (s) => s.blocks);
  const target = useStore(runStore, (s) => s.config?.sparsity ?? null);
  const done = blocks.filter((b) => b.final);
  const data = LINEAR_NAMES.map((n) => ({
    layer: n,
    learned: done.length ? done.reduce((a, b) => a + b.final!.layerSparsity[n], 0) / done.length : 0,
    uniform: target ?? 0,
  }));
  return (
    <ChartCard
      id="bars"
      testId="chart-bars"
      json={{ blocks: done.length, data }}
      title="Allocation vs uniform"
      help="For each layer type, the mean fraction of zeros over the pruned blocks, next to the uniform allocation every layer would get from Wanda or magnitude pruning at the same target."
    >
      {done.length === 0 ? (
        <p className="empty">Filled in as blocks finish.</p>
      ) : (
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis dataKey="layer" tick={{ fontSize: 11 }} />
            <YAxis domain={[0, 1]} tick={{ fontSize: 11 }} width={40} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? `${(v * 100).toFixed(2)}%` : String(v))} />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            <Bar dataKey="learned" fill="#0e7490" isAnimationActive={false} />
            <Bar dataKey="uniform" fill="#d1d5db" isAnimationActive={false} />
            {target !== null && <ReferenceLine y={target} stroke="#6b7280" strokeDasharray="6 4" />}
          </BarChart>
        </ResponsiveContainer>
      )}
    </ChartCard>
  );
}
