import { useStore } from 'zustand';
import { runStore } from '../../store/runStore';
import { BarPlot } from './BarPlot';
import { ChartCard } from './ChartCard';
import { useBlockFinals } from './useBlockFinals';
import { useLinears } from './useLinears';

/** Mean measured sparsity of each layer type over the pruned blocks, next to a uniform allocation. */
export function AllocationBars() {
  const { finals } = useBlockFinals();
  const target = useStore(runStore, (s) => s.config?.sparsity ?? null);
  const linears = useLinears();
  const done = finals.filter((f) => f !== undefined);
  const data = linears.names.map((n) => ({
    layer: n,
    learned: done.length ? done.reduce((a, f) => a + f.layerSparsity[n], 0) / done.length : 0,
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
        <BarPlot
          label={`mean sparsity per layer type over ${done.length} pruned blocks, against the uniform ${target ?? ''}`}
          groups={linears.labels}
          series={[
            { key: 'learned', label: 'learned', color: '#0e7490' },
            { key: 'uniform', label: 'uniform', color: '#9ca3af' },
          ]}
          value={(g, si) => (si === 0 ? data[g].learned : data[g].uniform)}
          yMax={1}
          format={(v) => `${(v * 100).toFixed(v === 0 || v === 1 ? 0 : 1)}%`}
          refLine={target ?? undefined}
          height={220}
        />
      )}
    </ChartCard>
  );
}
