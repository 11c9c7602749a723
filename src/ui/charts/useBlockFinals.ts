// What the end-of-block views (heatmap, allocation bars) read from the run: each block's status and its
// measured result. Selected element by element (useShallow), so a step event, which replaces the blocks
// array, re-renders them only when a block starts or ends, not at every optimiser step (docs/speed.md §7).
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { runStore, type BlockState } from '../../store/runStore';

export function useBlockFinals(): { finals: (BlockState['final'] | undefined)[]; statuses: BlockState['status'][] } {
  const finals = useStore(
    runStore,
    useShallow((s) => s.blocks.map((b) => b.final)),
  );
  const statuses = useStore(
    runStore,
    useShallow((s) => s.blocks.map((b) => b.status)),
  );
  return { finals, statuses };
}
