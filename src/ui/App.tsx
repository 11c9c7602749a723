import { useStore } from 'zustand';
import { control, startRun } from '../store/actions';
import { gpuStore } from '../store/gpuStore';
import { modelStore } from '../store/modelStore';
import { runStore } from '../store/runStore';
import { uiStore, type Tab } from '../store/uiStore';
import { AllocationBars } from './charts/AllocationBars';
import { Heatmap } from './charts/Heatmap';
import { LossChart } from './charts/LossChart';
import { MaskView } from './charts/MaskView';
import { PerplexityChart } from './charts/PerplexityChart';
import { RowAllocation } from './charts/RowAllocation';
import { SparsityChart } from './charts/SparsityChart';
import { ComparePanel } from './ComparePanel';
import { ExportPanel } from './ExportPanel';
import { GenerationPanel } from './GenerationPanel';
import { Header } from './Header';
import { LearnPanel } from './LearnPanel';
import { MethodPanel } from './MethodPanel';
import { ModelPanel } from './ModelPanel';
import { NoWebGpu, NoWebGpuNotice } from './NoWebGpu';
import { HashNotice } from './HashNotice';
import { RunControls } from './RunControls';
import { SelfCheckPanel } from './SelfCheckPanel';
import { useSettingProblems } from './useSettingProblems';

const TABS: { id: Tab; label: string; help: string }[] = [
  { id: 'run', label: 'Run', help: 'Prune with one method and watch it live.' },
  { id: 'learn', label: 'Learn', help: 'A guided walkthrough of BESA, chapter by chapter, driving the live run.' },
  { id: 'compare', label: 'Compare', help: 'Run several methods on the same model and seed; compare perplexity and generations.' },
];

function Charts() {
  return (
    <div className="charts">
      <SparsityChart />
      <RowAllocation />
      <LossChart />
      <Heatmap />
      <AllocationBars />
      <PerplexityChart />
      <MaskView />
    </div>
  );
}

function CurrentGeneration() {
  // a report opened from a file has no weights in the Worker to generate with
  const runId = useStore(runStore, (s) => (s.report && s.report.status !== 'failed' && !s.reportFile ? s.report.runId : null));
  return (
    <section className="panel">
      <h2>Dense vs pruned text</h2>
      {runId ? (
        <GenerationPanel runIds={[runId]} />
      ) : (
        <p className="muted">After a run, continue a prompt with the dense and the pruned model (same seed).</p>
      )}
    </section>
  );
}

/** Tabs with the keyboard (WAI-ARIA tabs pattern): ←/→ move to the previous/next tab, Home/End to the ends. */
function onTabKey(e: React.KeyboardEvent): void {
  const i = TABS.findIndex((t) => t.id === uiStore.getState().tab);
  const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
  if (next === undefined) return;
  e.preventDefault();
  const t = TABS[(next + TABS.length) % TABS.length];
  uiStore.getState().set({ tab: t.id });
  document.getElementById(`tab-${t.id}`)?.focus();
}

/** Narrow screens: Run stays at hand in a bar at the bottom instead of below every setting (CSS shows it ≤ 900 px). */
function RunBar() {
  const status = useStore(runStore, (s) => s.status);
  const paused = useStore(runStore, (s) => s.paused);
  const card = useStore(modelStore, (s) => s.card);
  const running = status === 'running';
  const problems = useSettingProblems();
  const badSettings = !running && problems.length > 0;
  return (
    <div className="run-bar" data-testid="run-bar">
      <span className="muted small">{running ? (paused ? 'paused' : 'running…') : status}</span>
      <button
        type="button"
        className="primary"
        data-testid="run-bar-run"
        disabled={!card || badSettings || (running && !paused)}
        title={badSettings ? 'Some settings need a change first: see the Run panel.' : undefined}
        onClick={() => (running ? void control('resume') : void startRun('run'))}
      >
        {running ? 'Resume' : 'Run'}
      </button>
      <a href="#run-controls">progress ↑</a>
    </div>
  );
}

export function App() {
  const status = useStore(gpuStore, (s) => s.status);
  const tab = useStore(uiStore, (s) => s.tab);
  if (status.kind === 'unavailable') return <NoWebGpu reason={status.reason} />;
  return (
    <div className="app">
      <a className="skip-link" href="#run-controls" data-testid="skip-link">
        Skip to the run controls
      </a>
      <Header />
      {status.kind === 'ready' && !status.caps && <NoWebGpuNotice reason={status.gpuError ?? 'no adapter'} wasm={status.wasm} />}
      <HashNotice />
      <RunBar />
      <div className="layout">
        <aside className="side">
          <ModelPanel />
          <MethodPanel />
          <SelfCheckPanel />
        </aside>
        <main className="main">
          <nav className="tabs" role="tablist" aria-label="views" onKeyDown={onTabKey}>
            {TABS.map((t) => (
              <button
                key={t.id}
                id={`tab-${t.id}`}
                type="button"
                role="tab"
                aria-selected={tab === t.id}
                tabIndex={tab === t.id ? 0 : -1}
                data-testid={`tab-${t.id}`}
                className={tab === t.id ? 'active' : ''}
                title={t.help}
                onClick={() => uiStore.getState().set({ tab: t.id })}
              >
                {t.label}
              </button>
            ))}
          </nav>
          {tab === 'learn' && <LearnPanel />}
          {tab === 'compare' ? (
            <ComparePanel />
          ) : (
            <>
              <RunControls />
              <Charts />
              <CurrentGeneration />
              <ExportPanel />
            </>
          )}
        </main>
      </div>
    </div>
  );
}
