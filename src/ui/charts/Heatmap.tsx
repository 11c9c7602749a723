import { refreshMask } from '../../store/actions';
import { uiStore } from '../../store/uiStore';
import { fmtPct } from '../format';
import { ChartCard } from './ChartCard';
import { useBlockFinals } from './useBlockFinals';
import { useLinears } from './useLinears';
import { sparsityColor } from './colors';

/** Final (measured) allocation: blocks × the model's linears, zeros counted after the mask is applied. */
export function Heatmap() {
  const { finals, statuses } = useBlockFinals();
  const linears = useLinears();
  const { names } = linears;
  const blocks = finals.map((final, i) => ({ final, status: statuses[i] }));
  const cells = blocks.map((b) => (b.final ? names.map((n) => b.final!.layerSparsity[n]) : null));
  return (
    <ChartCard
      id="heatmap"
      testId="chart-heatmap"
      json={{ blocks: cells }}
      heatmap={{ cells, columns: linears.labels }}
      title="Learned allocation (blocks × layers)"
      help="Fraction of zeros in each linear layer of each block after pruning (measured). Darker = pruned more. BESA gives layers that matter less more sparsity; one-shot methods give every layer the same. Click a cell to see its mask."
    >
      <div className="heatmap" style={{ gridTemplateColumns: `4em repeat(${names.length}, 1fr) 4.5em` }}>
        <span />
        {names.map((n) => (
          <span key={n} className="hm-head" data-linear={n}>
            {breakAtDots(linears.label(n))}
          </span>
        ))}
        <span className="hm-head">block</span>
        {blocks.map((b, i) => (
          <div key={i} className="hm-row" data-testid={`heat-row-${i}`} data-filled={String(!!b.final)} style={{ display: 'contents' }}>
            <span className="hm-label">{i}</span>
            {names.map((n) => {
              const v = b.final?.layerSparsity[n];
              const label = linears.label(n);
              return (
                <button
                  key={n}
                  type="button"
                  className="hm-cell"
                  style={{
                    background: v === undefined ? '#f3f4f6' : sparsityColor(v),
                    color: v !== undefined && v > 0.55 ? '#fff' : '#111',
                  }}
                  title={v === undefined ? `block ${i} ${label}: not pruned (yet)` : `block ${i} ${label}: ${fmtPct(v, 2)} zeros`}
                  onClick={() => {
                    uiStore.getState().set({ selectedBlock: i, maskLayer: n });
                    void refreshMask(i, n);
                  }}
                >
                  {v === undefined ? '' : (v * 100).toFixed(1)}
                </button>
              );
            })}
            <span className="hm-total">{b.final ? fmtPct(b.final.blockSparsity) : b.status === 'running' ? '…' : ''}</span>
          </div>
        ))}
      </div>
      <div className="hm-legend" data-testid="heatmap-legend" aria-label="colour scale: share of zeros from 0 % to 100 %">
        <span>0 %</span>
        <span
          className="hm-scale"
          style={{ background: `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map((t) => sparsityColor(t)).join(', ')})` }}
        />
        <span>100 % zeros</span>
      </div>
    </ChartCard>
  );
}

/** "attn.c_proj" may wrap after its dot, never inside a word (GPT-2's names are wider than a cell). */
function breakAtDots(label: string) {
  const parts = label.split('.');
  return parts.map((p, i) => (
    <span key={i}>
      {p}
      {i < parts.length - 1 && (
        <>
          .<wbr />
        </>
      )}
    </span>
  ));
}
