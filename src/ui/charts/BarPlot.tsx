// Grouped bars drawn as plain SVG, for the run view's bar charts (allocation per layer type, perplexity), which
// change while a run is going: one cheap render instead of recharts' several synchronous passes (docs/speed.md §7).
// Legend and value labels are inside the SVG, so the PNG export gets them.
import { useWidth } from './useWidth';

export interface BarSeries {
  key: string;
  label: string;
  color: string;
}

const TOP = 14; // room for the value labels above the bars
const X_AXIS = 20;
const LEGEND = 18;
const FONT = 11;

export function BarPlot(props: {
  groups: readonly string[];
  series: readonly BarSeries[];
  /** value(group, series); undefined draws no bar */
  value(group: number, series: number): number | undefined;
  yMax: number;
  format(v: number): string;
  refLine?: number;
  height?: number;
  label: string; // the chart in words, for screen readers
}) {
  const { groups, series, yMax } = props;
  const [box, W] = useWidth(560);
  const H = (props.height ?? 200) - LEGEND;
  const x0 = 44;
  const x1 = W - 12;
  const y0 = TOP;
  const y1 = H - X_AXIS;
  const py = (v: number) => y1 - ((y1 - y0) * v) / (yMax || 1);
  const band = (x1 - x0) / Math.max(1, groups.length);
  const bar = Math.min(40, (band * 0.8) / Math.max(1, series.length));
  const ticks = Array.from({ length: 5 }, (_, i) => (yMax * i) / 4);
  return (
    <div ref={box}>
      <svg width={W} height={H + LEGEND} role="img" aria-label={props.label} className="bar-plot" fontSize={FONT}>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={x0} x2={x1} y1={py(v)} y2={py(v)} stroke="#e5e7eb" strokeDasharray="3 3" />
            <text x={x0 - 4} y={py(v) + 4} textAnchor="end" fill="currentColor">
              {props.format(v)}
            </text>
          </g>
        ))}
        {groups.map((g, gi) => {
          const left = x0 + gi * band + (band - bar * series.length) / 2;
          return (
            <g key={g}>
              {series.map((s, si) => {
                const v = props.value(gi, si);
                if (v === undefined || !Number.isFinite(v)) return null;
                const x = left + si * bar;
                return (
                  <g key={s.key} className="plot-bar">
                    <rect x={x + 1} y={py(v)} width={bar - 2} height={y1 - py(v)} fill={s.color}>
                      <title>{`${g} · ${s.label}: ${props.format(v)}`}</title>
                    </rect>
                  </g>
                );
              })}
              <text x={x0 + gi * band + band / 2} y={y1 + 14} textAnchor="middle" fill="currentColor">
                {g}
              </text>
            </g>
          );
        })}
        {props.refLine !== undefined && (
          <line x1={x0} x2={x1} y1={py(props.refLine)} y2={py(props.refLine)} stroke="#6b7280" strokeDasharray="6 4" />
        )}
        <line x1={x0} x2={x1} y1={y1} y2={y1} stroke="#9ca3af" />
        {series.map((s, i) => (
          <g key={s.key} className="plot-legend" transform={`translate(${x0 + i * 110}, ${H + 4})`}>
            <rect width={12} height={10} fill={s.color} />
            <text x={16} y={9} fill="currentColor">
              {s.label}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
}
