import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from 'zustand';
import { runStore } from '../../store/runStore';
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
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
              <XAxis dataKey="dataset" tick={{ fontSize: 11 }} />
              <YAxis tick={{ fontSize: 11 }} width={44} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
              <Legend wrapperStyle={{ fontSize: 11 }} />
              <Bar dataKey="dense" fill="#9ca3af" isAnimationActive={false} />
              <Bar dataKey="pruned" fill="#0e7490" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
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
