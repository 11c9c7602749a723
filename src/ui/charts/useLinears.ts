// The linears the run view draws (LLaMA's 7 or GPT-2's 6) and their shown names: the run's own when it has
// any data (or is a report file), else the loaded model's (src/store/linears.ts). One object per
// architecture, so a component re-renders only when the architecture on screen changes.
import { useStore } from 'zustand';
import { shownLinears, type Linears } from '../../store/linears';
import { modelStore } from '../../store/modelStore';
import { runStore } from '../../store/runStore';

export function useLinears(): Linears {
  const run = useStore(runStore, (s) => s.linears);
  const family = useStore(modelStore, (s) => s.card?.spec.family);
  return shownLinears(run, family);
}
