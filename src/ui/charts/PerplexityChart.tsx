import { useStore } from 'zustand';
import { runStore } from '../../store/runStore';
import { BarPlot } from './BarPlot';
import { ChartCard } from './ChartCard';

/** Perplexity of the dense and the pruned model on each evaluation text (docs/besa.md §5 protocol). */
export function PerplexityChart() {
  const ppl = useStore(runStore, (s) => s.perplexity);
  const pending = useStore(runStore, (s) => s.status === 'running');
  const sets = [...new Set([...ppl.dense, ...ppl.pruned].map((r) => r.dataset))];
  const data = sets.map((d) => ({
    dataset: d,
    dense: ppl.dense.find((r) => r.dataset === d)?.ppl,
    pruned: ppl.pruned.find((r) => r.dataset === d)?.ppl,
  }));
  const win = ppl.dense[0] ?? ppl.pruned[0];
  // four grid steps of 1, 2, 2.5 or 5 × 10^k: round tick labels
  const quarter = (Math.max(1, ...data.flatMap((r) => [r.dense ?? 0, r.pruned ?? 0])) * 1.05) / 4;
  const decade = 10 ** Math.floor(Math.log10(quarter));
  const yMax = 4 * decade * [1, 2, 2.5, 5, 10].find((m) => m * decade >= quarter)!;
  return (
    <ChartCard
      id="ppl"
      testId="chart-ppl"
      json={data}
      title="Perplexity: dense vs pruned"
      help="How surprised the model is by held-out text (lower is better): exp of the mean next-token loss over non-overlapping windows. Pruning usually raises it; a good method raises it less."
    >
      {data.length === 0 ? (
        <p className="empty">Measured before and after pruning.</p>
      ) : (
        <>
          <BarPlot
            label="perplexity of the dense and the pruned model on each evaluation text"
            groups={sets}
            series={[
              { key: 'dense', label: 'dense', color: '#9ca3af' },
              { key: 'pruned', label: 'pruned', color: '#0e7490' },
            ]}
            value={(g, si) => (si === 0 ? data[g].dense : data[g].pruned)}
            yMax={yMax}
            format={(v) => String(+v.toPrecision(4))}
          />
          <table className="ppl-table" data-testid="ppl-table">
            <tbody>
              {data.map((r) => (
                <tr key={r.dataset}>
                  <td>{r.dataset}</td>
                  <td>dense {r.dense?.toFixed(3) ?? (pending ? '…' : '–')}</td>
                  <td>pruned {r.pruned?.toFixed(3) ?? (pending ? '…' : 'not measured (the run did not complete)')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {win && (
            <p className="muted small">
              {win.windows} windows × {win.seqlen} tokens each.
            </p>
          )}
        </>
      )}
    </ChartCard>
  );
}
