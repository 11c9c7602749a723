// A small line chart drawn as plain SVG, for the charts that change at every optimiser step (sparsity and
// loss). recharts re-renders through its own store in several synchronous passes per update, 60–240 ms per
// step on a software-rendered page; this draws the same picture in one render of a few ms (docs/speed.md §7).
// The legend is inside the SVG, so the PNG export gets it with the chart.
import { useState, type MouseEvent } from 'react';
import { useWidth } from './useWidth';

export interface PlotSeries {
  key: string;
  label: string;
  color: string;
  width?: number;
  /** Which y axis it is read against (default left). */
  axis?: 'left' | 'right';
  values: readonly number[]; // one per x = 0, 1, …
}

export interface PlotAxis {
  lo: number;
  hi: number;
  format(v: number): string;
  color?: string;
  width: number; // px kept for the tick labels
}

const TOP = 8;
const X_AXIS = 20; // tick labels under the plot
const LEGEND_ROW = 16;
const FONT = 11;

/** Up to ~8 integer ticks over [0, max], at 1, 2, 5, 10, 20, 50, … apart. */
function xTicks(max: number): number[] {
  let step = 1;
  for (let k = 0; max / step > 8; k++) step = [1, 2, 5][(k + 1) % 3] * 10 ** Math.floor((k + 1) / 3);
  const out: number[] = [];
  for (let x = 0; x <= max; x += step) out.push(x);
  return out;
}

/** The legend laid out in rows that fit the width (text width estimated from the font size). */
function legendRows(series: readonly PlotSeries[], width: number): { s: PlotSeries; x: number; row: number }[] {
  const out: { s: PlotSeries; x: number; row: number }[] = [];
  let x = 0;
  let row = 0;
  for (const s of series) {
    const w = 22 + s.label.length * FONT * 0.6;
    if (x > 0 && x + w > width) [x, row] = [0, row + 1];
    out.push({ s, x, row });
    x += w + 10;
  }
  return out;
}

export function LinePlot(props: {
  series: readonly PlotSeries[];
  xMax: number; // the x axis spans 0…xMax (a block's steps: totalSteps − 1)
  left: PlotAxis;
  right?: PlotAxis;
  refLine?: { y: number; label: string };
  height?: number;
  label: string; // the chart in words, for screen readers
}) {
  const { series, xMax, left, right, refLine } = props;
  const [box, W] = useWidth(560);
  const [hover, setHover] = useState<number | null>(null);
  const legend = legendRows(series, W - left.width);
  const legendH = (Math.max(0, ...legend.map((l) => l.row)) + 1) * LEGEND_ROW;
  const H = (props.height ?? 240) - legendH;
  const x0 = left.width;
  const x1 = W - (right?.width ?? 16);
  const y0 = TOP;
  const y1 = H - X_AXIS;
  const px = (x: number) => x0 + ((x1 - x0) * x) / Math.max(1, xMax);
  const py = (a: PlotAxis, v: number) => y1 - ((y1 - y0) * (v - a.lo)) / (a.hi - a.lo || 1);
  const yTicks = (a: PlotAxis) => Array.from({ length: 5 }, (_, i) => a.lo + ((a.hi - a.lo) * i) / 4);
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const onMove = (e: MouseEvent<SVGRectElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = Math.round(((e.clientX - r.left) / Math.max(1, r.width)) * Math.max(1, xMax));
    setHover(x >= 0 && x < n ? x : null);
  };
  return (
    <div ref={box}>
      <svg width={W} height={H + legendH} role="img" aria-label={props.label} className="line-plot" fontSize={FONT}>
        {yTicks(left).map((v, i) => (
          <g key={`l${i}`}>
            <line x1={x0} x2={x1} y1={py(left, v)} y2={py(left, v)} stroke="#e5e7eb" strokeDasharray="3 3" />
            <text x={x0 - 4} y={py(left, v) + 4} textAnchor="end" fill={left.color ?? 'currentColor'}>
              {left.format(v)}
            </text>
          </g>
        ))}
        {right &&
          yTicks(right).map((v, i) => (
            <text key={`r${i}`} x={x1 + 4} y={py(right, v) + 4} fill={right.color ?? 'currentColor'}>
              {right.format(v)}
            </text>
          ))}
        {xTicks(xMax).map((x) => (
          <text key={x} x={px(x)} y={y1 + 14} textAnchor="middle" fill="currentColor">
            {x}
          </text>
        ))}
        <rect x={x0} y={y0} width={x1 - x0} height={y1 - y0} fill="none" stroke="#9ca3af" />
        {refLine && (
          <g>
            <line x1={x0} x2={x1} y1={py(left, refLine.y)} y2={py(left, refLine.y)} stroke="#6b7280" strokeDasharray="6 4" />
            <text x={x1 - 4} y={py(left, refLine.y) - 4} textAnchor="end" fontSize={10} fill="#6b7280">
              {refLine.label}
            </text>
          </g>
        )}
        {series.map((s) => {
          const a = s.axis === 'right' && right ? right : left;
          const pts = Array.from(s.values, (v, x) => `${px(x).toFixed(1)},${py(a, v).toFixed(1)}`).join(' ');
          return <polyline key={s.key} className="plot-line" points={pts} fill="none" stroke={s.color} strokeWidth={s.width ?? 1.5} />;
        })}
        {hover !== null && (
          <g pointerEvents="none">
            <line x1={px(hover)} x2={px(hover)} y1={y0} y2={y1} stroke="#9ca3af" />
            <rect x={x0 + 4} y={y0 + 2} width={150} height={16 + 13 * series.length} fill="white" fillOpacity={0.92} stroke="#d1d5db" />
            <text x={x0 + 10} y={y0 + 15} fill="#111827">
              step {hover}
            </text>
            {series.map((s, i) => (
              <text key={s.key} x={x0 + 10} y={y0 + 28 + 13 * i} fill={s.color}>
                {`${s.label}: ${(s.axis === 'right' && right ? right : left).format(s.values[hover] ?? NaN)}`}
              </text>
            ))}
          </g>
        )}
        <rect x={x0} y={y0} width={x1 - x0} height={y1 - y0} fill="transparent" onMouseMove={onMove} onMouseLeave={() => setHover(null)} />
        {legend.map(({ s, x, row }) => (
          <g key={s.key} className="plot-legend" transform={`translate(${x0 + x}, ${H + row * LEGEND_ROW + 4})`}>
            <line x1={0} x2={16} y1={6} y2={6} stroke={s.color} strokeWidth={s.width ?? 1.5} />
            <text x={20} y={10} fill="currentColor">
              {s.label}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
}
