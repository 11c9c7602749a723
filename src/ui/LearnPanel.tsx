import { Fragment, useEffect } from 'react';
import { useStore } from 'zustand';
import { CHAPTERS } from '../learn/chapters';
import type { Chapter } from '../learn/types';
import { METHODS } from '../store/engineValues';
import { configStore } from '../store/configStore';
import { control, refreshMask, startRun, stepOrStart } from '../store/actions';
import { runStore } from '../store/runStore';
import { uiStore } from '../store/uiStore';
import { describeLearnPatch, learnPatch } from '../learn/preset';

/** `code` spans in chapter text → <code>. */
function Text({ s }: { s: string }) {
  return <>{s.split('`').map((part, i) => (i % 2 ? <code key={i}>{part}</code> : <Fragment key={i}>{part}</Fragment>))}</>;
}

async function perform(ch: Chapter): Promise<void> {
  const status = runStore.getState().status;
  const running = status === 'running';
  if (ch.action.kind !== 'none' && !running && status === 'completed' && ch.action.kind !== 'step') return; // nothing left to run
  // The chapters walk through learned allocation: a run of the method that learns per step, long enough
  // for the allocation to move (src/learn/preset.ts).
  const learner = METHODS.find((m) => m.learnsPerStep)!;
  const patch = running ? null : learnPatch(configStore.getState().config, learner.name);
  if (patch) {
    configStore.getState().set(patch);
    uiStore.getState().set({ learnNote: describeLearnPatch(patch) });
  }
  if (ch.action.kind === 'step') await stepOrStart('step', ch.action.n ?? 1);
  else if (ch.action.kind === 'block') await stepOrStart('block');
  else if (ch.action.kind === 'run') {
    if (running) await control('resume');
    else void startRun('run');
  }
  if (ch.highlight === 'mask') void refreshMask(0);
}

/** The guided walkthrough: one chapter at a time, each driving the live run and highlighting a chart. */
export function LearnPanel() {
  const idx = useStore(uiStore, (s) => s.chapter);
  const paused = useStore(runStore, (s) => s.paused);
  const status = useStore(runStore, (s) => s.status);
  const ch = CHAPTERS[idx];
  useEffect(() => {
    uiStore.getState().set({ highlight: ch.highlight });
    return () => uiStore.getState().set({ highlight: null });
  }, [ch]);
  const go = (i: number) => uiStore.getState().set({ chapter: Math.max(0, Math.min(CHAPTERS.length - 1, i)) });
  const note = useStore(uiStore, (s) => s.learnNote);
  // A finished run has no block left to step or run; a 'step' chapter starts a new run instead.
  const finished = status === 'completed' && ch.action.kind !== 'step';
  const canAct = (status !== 'running' || !!paused) && !finished;
  return (
    <section className="panel learn" data-testid="learn-panel" data-chapter={ch.id}>
      <nav className="chapters">
        {CHAPTERS.map((c, i) => (
          <button key={c.id} type="button" className={i === idx ? 'active' : ''} onClick={() => go(i)} title={c.title}>
            {i + 1}
          </button>
        ))}
      </nav>
      <h2>{ch.title}</h2>
      {ch.body.map((p, i) => (
        <p key={i}>
          <Text s={p} />
        </p>
      ))}
      {note && (
        <p className="info small" role="status" data-testid="learn-note">
          {note}
        </p>
      )}
      <p className="watch">
        <b>Look at:</b> <Text s={ch.watch} />
      </p>
      <div className="buttons">
        <button type="button" onClick={() => go(idx - 1)} disabled={idx === 0}>
          ← Back
        </button>
        {ch.action.kind !== 'none' && (
          <button
            type="button"
            className="primary"
            data-testid="learn-action"
            disabled={!canAct}
            onClick={() => void perform(ch)}
            title={
              finished
                ? 'The run has finished: press Reset in the Run panel to start over.'
                : canAct
                  ? undefined
                  : 'Wait until the run pauses.'
            }
          >
            {finished ? `${ch.actionLabel}: done, the run is complete` : ch.actionLabel}
          </button>
        )}
        <button type="button" onClick={() => go(idx + 1)} disabled={idx === CHAPTERS.length - 1}>
          Next →
        </button>
      </div>
    </section>
  );
}
