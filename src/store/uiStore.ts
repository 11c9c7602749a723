// View state that is not run data: which block/layer is inspected, the active tab, Learn mode's
// highlighted quantity, mask images and generations received from the Worker.
import { createStore } from 'zustand/vanilla';
import type { LinearName } from '../model/spec';
import type { Generation, MaskImage } from '../worker/protocol';

export type Tab = 'run' | 'compare' | 'learn';
/** Elements a Learn chapter can point at (data-learn attributes in the UI). */
export type LearnTarget =
  | 'sparsity-chart'
  | 'row-allocation'
  | 'loss-chart'
  | 'heatmap'
  | 'bars'
  | 'mask'
  | 'timeline'
  | 'method'
  | 'ppl'
  | 'compare-alloc'
  | 'compare-sweep'
  | null;

export interface UiState {
  tab: Tab;
  selectedBlock: number | null; // null = follow the running block
  maskLayer: LinearName;
  mask: MaskImage | null;
  maskError: string | null;
  highlight: LearnTarget;
  chapter: number;
  /** What Learn changed in the settings to drive its run (src/learn/preset.ts), in words; null: nothing. */
  learnNote: string | null;
  generations: { prompt: string; items: Generation[] } | null;
  busy: string | null; // a one-off request in flight (export, generate)
  notice: { kind: 'error' | 'info'; text: string } | null;
  set(p: Partial<Omit<UiState, 'set'>>): void;
}

export const uiStore = createStore<UiState>()((set) => ({
  tab: 'run',
  selectedBlock: null,
  maskLayer: 'q',
  mask: null,
  maskError: null,
  highlight: null,
  chapter: 0,
  learnNote: null,
  generations: null,
  busy: null,
  notice: null,
  set: (p) => set(p),
}));
