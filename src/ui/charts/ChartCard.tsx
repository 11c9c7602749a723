import { useEffect, useRef, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { uiStore, type LearnTarget } from '../../store/uiStore';
import { saveChartPng } from './png';

/** Frame for one chart: title with a hover explanation, PNG export, Learn-mode highlight. */
export function ChartCard({
  id,
  title,
  help,
  children,
  testId,
  json,
}: {
  id: Exclude<LearnTarget, null>;
  title: ReactNode;
  help: string;
  children: ReactNode;
  testId: string;
  json?: unknown;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const hl = useStore(uiStore, (s) => s.highlight === id);
  useEffect(() => {
    // Learn mode: the chart a chapter talks about is brought into view, not left below the fold
    if (hl) ref.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [hl]);
  return (
    <div
      className={`chart${hl ? ' highlight' : ''}`}
      data-learn={id}
      data-testid={testId}
      data-json={json === undefined ? undefined : JSON.stringify(json)}
    >
      <div className="chart-head">
        <h3 title={help}>
          {title} <span className="q">?</span>
        </h3>
        <button
          type="button"
          className="link small"
          onClick={() => void saveChartPng(ref.current, testId)}
          title="Save this chart as a PNG image."
        >
          PNG
        </button>
      </div>
      <div ref={ref} className="chart-body">
        {children}
      </div>
    </div>
  );
}
