// Learn mode points at one element per chapter (uiStore.highlight): that element gets the highlight class and is
// scrolled into view, whether it is a chart card, the block timeline or the method panel.
import { useEffect, type RefObject } from 'react';
import { useStore } from 'zustand';
import { uiStore, type LearnTarget } from '../store/uiStore';

/** Whether `id` is the highlighted target; brings `ref` into view when it becomes so. */
export function useLearnHighlight(id: Exclude<LearnTarget, null>, ref: RefObject<HTMLElement | null>): boolean {
  const hl = useStore(uiStore, (s) => s.highlight === id);
  useEffect(() => {
    if (hl) ref.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [hl, ref]);
  return hl;
}
