// The loaded model (card), the load state and the last load error (named, with the fix).
import { createStore } from 'zustand/vanilla';
import type { CheckpointInfo, ModelCard } from '../worker/protocol';

export interface ModelState {
  loading: string | null; // what is being loaded
  card: ModelCard | null;
  error: { name: string; message: string } | null;
  /** An unfinished run of this model found in IndexedDB (offered as "resume"). */
  checkpoint: CheckpointInfo | null;
  /** Settings changed to fit the loaded model (e.g. the sequence length clamped to its context), in words. */
  adjusted: string | null;
  /** The hub download in progress (the file being fetched), null when none. */
  download: { file: string; loaded: number; total: number | null; cached: boolean } | null;
  /** One dense block forward timed on this adapter and engine (the time estimate before Run); null: not yet. */
  timeProbe: { msPerBlockForward: number; seqlen: number; engine: string } | null;
  set(p: Partial<Omit<ModelState, 'set'>>): void;
}

export const modelStore = createStore<ModelState>()((set) => ({
  loading: null,
  card: null,
  error: null,
  checkpoint: null,
  adjusted: null,
  download: null,
  timeProbe: null,
  set: (p) => set(p),
}));
