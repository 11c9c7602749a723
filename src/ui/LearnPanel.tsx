import { Fragment, useEffect } from 'react';
import { useStore } from 'zustand';
import { CHAPTERS } from '../learn/chapters';
import type { Chapter } from '../learn/types';
import { METHODS } from '../store/engineValues';
import { configStore } from '../store/configStore';
import { control, refreshMask, startRun, stepOrStart } from '../store/actions';
import { runStore } from '../store/runStore';
import { uiStore } from '../store/uiStore';

/** `code` spans in chapter text → <code>. */
function Text({ s }: { s: string }) {
  return <>{s.split('`').map((part, i) => (i % 2 ? <code key={i}>{part}</code> : <Fragment key={i}>{part}</Fragment>))}</>;
}

async function perform(ch: Chapter): Promise<void> {
  const status = runStore.getState().status;
  const running = status === 'running';
  if (ch.action.kind !== 'none' && !running && status === 'completed' && ch.action.kind !== 'step') return; // nothing left to run
  // The chapters walk through learned allocation: switch to the method that learns per step.
  const learner = METHODS.find((m) => m.learnsPerStep)!;
  if (!running && configStore.getState().config.method !== learner.name)
    configStore.getState().set({ method: learner.name, structure: 'unstructured' });
  if (ch.action.kind === 'step' || ch.action.kind === 'block') await stepOrStart(ch.action.kind);
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
  const canAct = status !== 'running' || !!paused;
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
            title={canAct ? undefined : 'Wait until the run pauses.'}
          >
            {ch.actionLabel}
          </button>
        )}
        <button type="button" onClick={() => go(idx + 1)} disabled={idx === CHAPTERS.length - 1}>
          Next →
        </button>
      </div>
    </section>
  );
}
