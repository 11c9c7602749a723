import { useStore } from 'zustand';
import { runStore, type BlockState } from '../../store/runStore';
import { uiStore } from '../../store/uiStore';

function lastWithSteps(blocks: BlockState[]): number | null {
  for (let i = blocks.length - 1; i >= 0; i--) if (blocks[i].steps.length) return i;
  return null;
}

/** The block the charts show: the clicked one, else the running one, else the last one with steps. */
export function useShownBlock(): number | null {
  const selected = useStore(uiStore, (s) => s.selectedBlock);
  const current = useStore(runStore, (s) => s.currentBlock);
  const last = useStore(runStore, (s) => lastWithSteps(s.blocks));
  return selected ?? current ?? last;
}
