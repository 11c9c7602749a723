import { useRef, type ReactNode } from 'react';
import { useLearnHighlight } from '../useLearnHighlight';
import type { LearnTarget } from '../../store/uiStore';
import { modelStore } from '../../store/modelStore';
import { runStore } from '../../store/runStore';
import { HelpTip } from '../HelpTip';
import { saveChartPng, type PngExtras } from './png';

/** "model · method pattern · target s · run id" of the run on screen (or of the settings before any run). */
function runLabel(): string {
  const r = runStore.getState();
  const cfg = r.config;
  const model = r.report?.model.name ?? modelStore.getState().card?.name ?? 'no model';
  if (!cfg) return `${model} · no run yet`;
  const nm = cfg.structure === 'unstructured' ? '' : ` ${cfg.structure}`;
  return `${model} · ${cfg.method}${nm} · target ${cfg.sparsity} · ${cfg.nsamples} × ${cfg.seqlen} tokens, seed ${cfg.seed}${r.runId ? ` · ${r.runId}` : ''}`;
}

/** Frame for one chart: title with a hover explanation, PNG export, Learn-mode highlight. */
export function ChartCard({
  id,
  title,
  help,
  children,
  testId,
  json,
  heatmap,
}: {
  id: Exclude<LearnTarget, null>;
  title: ReactNode;
  help: string;
  children: ReactNode;
  testId: string;
  json?: unknown;
  /** The data of a chart drawn in HTML (the heatmap), for its PNG. */
  heatmap?: PngExtras['heatmap'];
}) {
  const ref = useRef<HTMLDivElement>(null);
  const card = useRef<HTMLDivElement>(null);
  // Learn mode: the chart a chapter talks about is brought into view, not left below the fold
  const hl = useLearnHighlight(id, ref);
  return (
    <div
      ref={card}
      className={`chart${hl ? ' highlight' : ''}`}
      data-learn={id}
      data-testid={testId}
      data-json={json === undefined ? undefined : JSON.stringify(json)}
    >
      <div className="chart-head">
        <h3 title={help}>
          {title} <HelpTip label={typeof title === 'string' ? title : testId.replace(/^chart-/, '')} help={help} />
        </h3>
        <button
          type="button"
          className="link small"
          onClick={() => void saveChartPng(card.current, testId, { runLabel: runLabel(), heatmap })}
          title="Save this chart as a PNG image, with its title, legend and the run it shows."
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
