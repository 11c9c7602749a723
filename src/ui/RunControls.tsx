import { useStore } from 'zustand';
import { cancelRun, control, resetRun, resumeCheckpoint, startRun, stepOrStart } from '../store/actions';
import { gpuStore } from '../store/gpuStore';
import { modelStore } from '../store/modelStore';
import { runStore } from '../store/runStore';
import { uiStore } from '../store/uiStore';
import { BlockTimeline } from './BlockTimeline';
import { fmtSeconds } from './format';
import { useSettingProblems } from './useSettingProblems';

/** Run / pause / step / cancel / reset, progress with ETA, the block timeline and run notices. */
export function RunControls() {
  const status = useStore(runStore, (s) => s.status);
  const paused = useStore(runStore, (s) => s.paused);
  const progress = useStore(runStore, (s) => s.progress);
  const phase = useStore(runStore, (s) => s.phase);
  const blockEta = useStore(runStore, (s) => s.blockEta);
  // Mean wall time of the blocks finished in this session → what one more block costs.
  const perBlock = useStore(runStore, (s) => {
    const f = s.blocks.filter((b) => b.final && !b.resumed);
    return f.length ? f.reduce((a, b) => a + b.final!.seconds, 0) / f.length : null;
  });
  const error = useStore(runStore, (s) => s.error);
  const logs = useStore(runStore, (s) => s.logs);
  const card = useStore(modelStore, (s) => s.card);
  const checkpoint = useStore(modelStore, (s) => s.checkpoint);
  const notice = useStore(uiStore, (s) => s.notice);
  const deviceLost = useStore(gpuStore, (s) => s.deviceLost);
  const running = status === 'running';
  const noModel = !card;
  const problems = useSettingProblems();
  const badSettings = !running && problems.length > 0; // a paused run resumes with the settings it started with
  const frac = status === 'completed' ? 1 : progress && progress.total ? progress.done / progress.total : 0;
  const state = running ? (paused ? `paused before a ${paused.point === 'block' ? 'block' : 'step'}` : 'running') : status;
  return (
    <section className="panel run" data-testid="run-controls" id="run-controls" tabIndex={-1}>
      <h2>
        Run{' '}
        <span className={`badge ${status}`} data-testid="run-status" data-status={status} data-paused={String(!!paused)}>
          {state}
        </span>
      </h2>
      {checkpoint && !running && (
        <p className="resume" data-testid="resume-banner">
          An unfinished {checkpoint.config.method} run of this model stopped{' '}
          {checkpoint.partial
            ? `in block ${checkpoint.completed} after step ${checkpoint.partial.step}/${checkpoint.partial.totalSteps}`
            : `after block ${checkpoint.completed - 1}`}{' '}
          ({checkpoint.completed}/{checkpoint.nBlocks} blocks done, saved {new Date(checkpoint.savedAt).toLocaleTimeString()}).{' '}
          <button
            type="button"
            data-testid="resume"
            onClick={() => void resumeCheckpoint()}
            title="Continue where it stopped, with the same settings: finished blocks and the optimiser state of the block in progress are restored from this browser's IndexedDB."
          >
            Resume
          </button>
        </p>
      )}
      {badSettings && (
        <div className="error settings-problems" role="alert" data-testid="settings-problems">
          <p>{problems.length === 1 ? 'One setting needs' : `${problems.length} settings need`} a change before the run can start:</p>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{p.text}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="buttons">
        <button
          type="button"
          className="primary"
          data-testid="run"
          disabled={noModel || !!deviceLost || badSettings || (running && !paused)}
          onClick={() => (running ? void control('resume') : void startRun('run'))}
          title={running ? 'Continue the paused run.' : 'Prune the model block by block with the settings on the left.'}
        >
          {running ? 'Resume' : 'Run'}
        </button>
        <button
          type="button"
          data-testid="pause"
          disabled={!running || !!paused}
          onClick={() => void control('pause')}
          title="Stop at the next optimiser step or block boundary; the charts keep what was computed."
        >
          Pause
        </button>
        <button
          type="button"
          data-testid="step"
          disabled={noModel || !!deviceLost || badSettings || (running && !paused)}
          onClick={() => void stepOrStart('step')}
          title="Run exactly one BESA optimiser step (one calibration sample), then pause. For one-shot methods: one block."
        >
          Step 1 iteration
        </button>
        <button
          type="button"
          data-testid="step-block"
          disabled={noModel || !!deviceLost || badSettings || (running && !paused)}
          onClick={() => void stepOrStart('block')}
          title="Finish the current block (or run the next whole block), then pause."
        >
          Step 1 block
        </button>
        <button
          type="button"
          data-testid="cancel"
          disabled={!running}
          onClick={() => void cancelRun()}
          title="Stop the run. Finished blocks stay pruned, the block in progress stays dense, and the checkpoint lets you resume later."
        >
          Cancel
        </button>
        <button
          type="button"
          data-testid="reset"
          disabled={noModel}
          onClick={() => void resetRun()}
          title="Forget the run: clear the charts, the results and the saved checkpoint. The model goes back to dense."
        >
          Reset
        </button>
      </div>
      <div className="progress" title={progress?.label}>
        <div className="bar" style={{ width: `${(frac * 100).toFixed(1)}%` }} />
        <span data-testid="progress-label">
          {!running && status !== 'idle'
            ? `${status}${status === 'completed' ? '' : progress ? ` during ${phase ?? ''} · ${progress.label}` : ''}`
            : progress
              ? `${phase ?? ''} · ${progress.label}`
              : (phase ?? 'idle')}
          {progress?.etaSeconds !== undefined ? ` · ETA ${fmtSeconds(progress.etaSeconds)}` : ''}
          {perBlock !== null && running ? ` · ${fmtSeconds(perBlock)} per block` : ''}
          {blockEta !== null && running && progress?.etaSeconds === undefined ? ` · ETA ${fmtSeconds(blockEta)}` : ''}
        </span>
      </div>
      <BlockTimeline />
      {deviceLost && (
        <p className="error" role="alert" data-testid="device-lost">
          {deviceLost}
        </p>
      )}
      {(error || notice) && (
        <p className={notice?.kind === 'info' ? 'info' : 'error'} role="alert" data-testid="run-error">
          {error ?? notice?.text}
        </p>
      )}
      {logs.length > 0 && (
        <details className="logs">
          <summary>log ({logs.length})</summary>
          <ul>
            {logs.map((l, i) => (
              <li key={i} className={l.level}>
                {l.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
