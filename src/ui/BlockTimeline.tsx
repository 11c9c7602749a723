import { useRef } from 'react';
import { useStore } from 'zustand';
import { useLearnHighlight } from './useLearnHighlight';
import { refreshMask } from '../store/actions';
import { runStore } from '../store/runStore';
import { uiStore } from '../store/uiStore';
import { fmtPct } from './format';

/** BESA: what θ learned and what the reference floor mask would have pruned, next to the applied zeros. */
function learnedNote(f: { learnedSparsity?: number; referenceMaskSparsity?: number }): string {
  if (f.learnedSparsity === undefined) return '';
  return ` (learned ${fmtPct(f.learnedSparsity, 2)}${f.referenceMaskSparsity !== undefined ? `, reference floor mask ${fmtPct(f.referenceMaskSparsity, 2)}` : ''})`;
}

/** One cell per decoder block: dense / in progress / pruned. Click to inspect that block. */
export function BlockTimeline() {
  const blocks = useStore(runStore, (s) => s.blocks);
  const selected = useStore(uiStore, (s) => s.selectedBlock);
  const current = useStore(runStore, (s) => s.currentBlock);
  const shown = selected ?? current;
  const ref = useRef<HTMLDivElement>(null);
  const hl = useLearnHighlight('timeline', ref);
  return (
    <div ref={ref} className={`timeline${hl ? ' highlight' : ''}`} data-learn="timeline" data-testid="timeline" aria-label="blocks">
      {blocks.map((b, i) => (
        <button
          key={i}
          type="button"
          className={`tblock ${b.status}${shown === i ? ' selected' : ''}`}
          data-testid={`block-${i}`}
          data-status={b.status}
          onClick={() => {
            uiStore.getState().set({ selectedBlock: selected === i ? null : i });
            void refreshMask(i);
          }}
          title={`block ${i}: ${b.status}${b.final ? `, ${fmtPct(b.final.blockSparsity)} zeros${learnedNote(b.final)}` : b.status === 'running' ? `, step ${b.steps.length}/${b.totalSteps}` : ''}. Click to inspect (again to follow the run).`}
        >
          <span>{i}</span>
          {b.status === 'running' && b.totalSteps > 0 && <i style={{ width: `${(100 * b.steps.length) / b.totalSteps}%` }} />}
        </button>
      ))}
    </div>
  );
}
