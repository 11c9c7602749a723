import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { configStore } from '../../store/configStore';
import { linearsOfRecord } from '../../store/linears';
import { runStore, type BlockRows } from '../../store/runStore';
import { ChartCard } from './ChartCard';
import { useWidth } from './useWidth';
import { sparsityColor } from './colors';
import { digitsFor, labelWidth, rowCells, scalePos, valueRange, type RowCell } from './rowCells';
import { useShownBlock } from './useShownBlock';

// One SVG (so the card's PNG export, which serialises the chart's SVG, works as for the recharts cards):
// a strip per linear, a rect per output row coloured by its expected sparsity s_r (docs/besa.md §1.4), the
// strip mean on the right, and a colour legend with the target α̂ marked.
const RIGHT = 92;
const STRIP_H = 18;
const GAP = 6;
const LEGEND_H = 52;
const GRAD_ID = 'row-alloc-gradient';

type Scale = 'range' | 'absolute';

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

function cellTitle(n: string, c: RowCell, G: number, sorted: boolean, rank: number, firstStep: number, d: number): string {
  const who =
    G === 1
      ? `${n}: one θ for all rows (layer-wise)`
      : c.rows.length === 1
        ? `${n} row ${c.rows[0]}${sorted ? ` (rank ${rank + 1}/${G})` : ''}`
        : `${n} rows ${c.rows[0]}…${c.rows[c.rows.length - 1]} (mean of ${c.rows.length})`;
  const delta = c.value - c.first;
  return `${who}: s = ${c.value.toFixed(d)} · step ${firstStep + 1}: ${c.first.toFixed(d)} · Δ ${delta === 0 ? '0' : (delta > 0 ? '+' : '') + delta.toExponential(2)}`;
}

/** Width of the element in CSS px (the SVG is drawn 1:1 so its text stays readable in narrow cards). */
function Legend({
  W,
  x0,
  lo,
  hi,
  target,
  digits,
  y,
}: {
  W: number;
  x0: number;
  lo: number;
  hi: number;
  target: number;
  digits: number;
  y: number;
}) {
  const w = W - x0 - RIGHT;
  const flat = hi - lo < 1e-12;
  const t = flat ? (Math.abs(target - lo) < 1e-12 ? 0.5 : target < lo ? -1 : 2) : (target - lo) / (hi - lo);
  const inside = t >= 0 && t <= 1;
  const bar = y + 12;
  return (
    <g fontSize={10} fill="#4b5563">
      <rect x={x0} y={bar} width={w} height={9} fill={flat ? sparsityColor(0.5) : `url(#${GRAD_ID})`} stroke="#d1d5db" strokeWidth={0.5} />
      {inside ? (
        <>
          <line x1={x0 + t * w} x2={x0 + t * w} y1={bar - 3} y2={bar + 12} stroke="#111827" strokeWidth={1.5} />
          <text x={x0 + t * w} y={bar - 5} textAnchor="middle" fill="#111827">
            target {target}
          </text>
        </>
      ) : (
        <text x={x0 + w + 6} y={bar + 8} fill="#111827">
          target {target} {target < lo ? '◂' : '▸'}
        </text>
      )}
      {flat ? (
        <text x={x0 + w / 2} y={bar + 22} textAnchor="middle">
          every row at {lo.toFixed(digits)}
        </text>
      ) : (
        <>
          <text x={x0} y={bar + 22}>
            {lo.toFixed(digits)}
          </text>
          <text x={x0 + w} y={bar + 22} textAnchor="end">
            {hi.toFixed(digits)}
          </text>
          <text x={x0 + w / 2} y={bar + 34} textAnchor="middle" fill="#6b7280">
            lighter: the row keeps more weights · darker: it prunes more
          </text>
        </>
      )}
    </g>
  );
}

/**
 * A strip's cells as an image, one pixel per cell, stretched over the strip: a few thousand rows cost one
 * <image> instead of one SVG element each, which the browser would otherwise restyle at every step
 * (docs/speed.md §7). The data URL keeps it inside the SVG for the PNG export.
 */
function stripImage(cells: readonly RowCell[], lo: number, hi: number): string {
  if (typeof document === 'undefined') return '';
  const c = document.createElement('canvas');
  c.width = Math.max(1, cells.length);
  c.height = 1;
  const ctx = c.getContext('2d');
  if (!ctx) return '';
  cells.forEach((cell, k) => {
    ctx.fillStyle = sparsityColor(scalePos(cell.value, lo, hi));
    ctx.fillRect(k, 0, 1, 1);
  });
  return c.toDataURL();
}

function Strips({ W, data, sorted, scale, target }: { W: number; data: BlockRows; sorted: boolean; scale: Scale; target: number }) {
  const linears = linearsOfRecord(data.rows); // the run's own linears (LLaMA's 7, GPT-2's 6)
  const names = linears.names;
  const labelW = labelWidth(linears);
  const strips = useMemo(
    () =>
      names.map((n) => ({
        n,
        label: linears.label(n),
        G: data.rows[n].length,
        mean: mean(data.rows[n]),
        cells: rowCells(data.rows[n], data.first[n], sorted),
      })),
    [data, sorted, names, linears],
  );
  const [lo, hi] = scale === 'absolute' ? [0, 1] : valueRange(names.map((n) => data.rows[n]));
  const images = useMemo(() => strips.map((st) => stripImage(st.cells, lo, hi)), [strips, lo, hi]);
  const [hover, setHover] = useState<{ strip: number; cell: number } | null>(null);
  const digits = scale === 'absolute' ? 2 : digitsFor(lo, hi);
  const tipDigits = Math.max(7, digits); // early steps move rows by ~1e-7
  const stripW = W - labelW - RIGHT;
  const legendY = names.length * (STRIP_H + GAP) + 4;
  const H = names.length * (STRIP_H + GAP) + LEGEND_H + 16;
  const hovered = hover && strips[hover.strip]?.cells[hover.cell];
  const readout = hovered
    ? cellTitle(strips[hover.strip].label, hovered, strips[hover.strip].G, sorted, hover.cell, data.firstStep, tipDigits)
    : 'hover a cell for its row, value and change since the first step';
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width={W}
      height={H}
      role="img"
      aria-label={`Expected sparsity of every output row of the ${names.length} linears`}
      data-testid="row-alloc-svg"
    >
      <defs>
        <linearGradient id={GRAD_ID}>
          {[0, 0.25, 0.5, 0.75, 1].map((t) => (
            <stop key={t} offset={t} stopColor={sparsityColor(t)} />
          ))}
        </linearGradient>
      </defs>
      {strips.map(({ n, label, G, mean: m, cells }, i) => {
        const y = i * (STRIP_H + GAP);
        return (
          <g key={n} data-testid={`row-strip-${n}`} data-rows={G} data-cells={cells.length}>
            <text x={labelW - 6} y={y + STRIP_H - 4} textAnchor="end" fontSize={11} fill="#374151">
              {label}
            </text>
            <image
              href={images[i] || undefined}
              x={labelW}
              y={y}
              width={stripW}
              height={STRIP_H}
              preserveAspectRatio="none"
              style={{ imageRendering: 'pixelated' }}
            />
            <rect
              className="strip-hit"
              x={labelW}
              y={y}
              width={stripW}
              height={STRIP_H}
              fill="transparent"
              onMouseMove={(e) => {
                const r = e.currentTarget.getBoundingClientRect();
                const k = Math.min(cells.length - 1, Math.max(0, Math.floor(((e.clientX - r.left) / r.width) * cells.length)));
                setHover({ strip: i, cell: k });
              }}
              onMouseLeave={() => setHover(null)}
            >
              {hover?.strip === i && <title>{readout}</title>}
            </rect>
            <text x={W - RIGHT + 6} y={y + STRIP_H - 4} fontSize={10} fill="#4b5563">
              <title>{`${label}: mean over its ${G} row${G === 1 ? '' : 's'} = the sparsity chart's line (target ${target})`}</title>
              {`μ ${m.toFixed(Math.max(4, digits))}`}
            </text>
          </g>
        );
      })}
      <Legend W={W} x0={labelW} lo={lo} hi={hi} target={target} digits={digits} y={legendY} />
      <text x={labelW} y={H - 4} fontSize={10} fill="#4b5563" data-testid="row-alloc-hover">
        {readout}
      </text>
    </svg>
  );
}

/** Per-row expected sparsity of the shown block at its latest optimiser step (one strip per linear). */
export function RowAllocation() {
  const shown = useShownBlock();
  const data = useStore(runStore, (s) => (shown === null ? undefined : s.rowAlloc[shown]));
  const totalSteps = useStore(runStore, (s) => (shown === null ? 0 : (s.blocks[shown]?.totalSteps ?? 0)));
  const runTarget = useStore(runStore, (s) => s.config?.sparsity);
  const cfgTarget = useStore(configStore, (s) => s.config.sparsity);
  const target = runTarget ?? cfgTarget;
  // Unsorted by default: row r stays at position r, so single-stepping shows which rows move (and
  // lines up with the mask view's rows). Sorted turns each strip into the distribution of s_r.
  const [sorted, setSorted] = useState(false);
  // 'range' stretches the colours over this step's min…max: early on rows differ by ~1e-7 and would all
  // look alike on the heatmap's absolute 0–1 scale, which 'absolute' keeps for comparison.
  const [scale, setScale] = useState<Scale>('range');
  const [box, width] = useWidth(560);
  const cells = data ? Object.fromEntries(linearsOfRecord(data.rows).names.map((n) => [n, data.rows[n].length])) : null;
  return (
    <ChartCard
      id="row-allocation"
      testId="chart-rows"
      json={{ block: shown, step: data?.step ?? null, firstStep: data?.firstStep ?? null, rows: cells, sorted, scale }}
      title={`Per-row allocation — block ${shown ?? '–'}${data ? ` · step ${data.step + 1}/${totalSteps || '?'}` : ''}`}
      help="Each cell is one output row of a linear layer, coloured by its expected sparsity s_r = Σ_d p_d·cand_d, the fraction of that row's weights BESA currently plans to prune (the hard mask drops floor(s_r·C) of them). The sparsity chart plots each strip's mean. Hover a cell for its row, value and change since the block's first step."
    >
      <div className="mask-controls">
        <label title="Sort each strip by sparsity (the distribution over rows) instead of keeping row order.">
          <input type="checkbox" data-testid="row-alloc-sort" checked={sorted} onChange={(e) => setSorted(e.target.checked)} /> sort rows
        </label>
        <label
          style={{ marginLeft: '1.2em' }}
          title="Colour scale: this step's range (shows small differences) or the heatmap's absolute 0–100%."
        >
          colours{' '}
          <select data-testid="row-alloc-scale" value={scale} onChange={(e) => setScale(e.target.value as Scale)}>
            <option value="range">this step's range</option>
            <option value="absolute">absolute 0–100%</option>
          </select>
        </label>
      </div>
      <div ref={box}>
        {data ? (
          <Strips W={width} data={data} sorted={sorted} scale={scale} target={target} />
        ) : (
          <p className="empty">
            No per-row allocation for this block yet. BESA sends it at every optimiser step; one-shot methods give every row the same
            sparsity.
          </p>
        )}
      </div>
    </ChartCard>
  );
}
