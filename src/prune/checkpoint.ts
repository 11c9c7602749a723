// Per-block checkpoints so a long run survives a closed tab or Ctrl-C: after every completed block the
// pipeline hands the store the block's pruned linears and the chain state X_p (inputs of the next
// block). The browser persists to IndexedDB/OPFS, the CLI to disk (src/cli/diskCheckpoint.ts); this
// file has the interface and an in-memory store (tests, and the studio's "resume in this tab").
import { recordLinearNames, type LinearName } from '../model/spec';
import type { BlockSummary } from './summary';
import type { BesaProgress } from './methods/besa';

export interface BlockCheckpoint {
  /** Identifies model + pruning config; a store must refuse to resume a different run. */
  runKey: string;
  block: number; // index of the block that just completed
  nBlocks: number;
  weights: Record<LinearName, Float32Array>; // the block's pruned linears, [out, in]
  Xp: Float32Array[]; // [nsamples] × [T, C] inputs of block+1 (pruned chain)
  Xfp?: Float32Array[]; // dense-chain inputs of block+1 (only with target 'dense-chain', docs/besa.md §1.6)
  summary: BlockSummary;
}

/**
 * The block after the last completed one, stopped between two optimiser steps (issue #14): its inputs are
 * the saved X_p (or the embeddings, for block 0), so only the learned state is stored.
 */
export interface PartialBlockCheckpoint {
  runKey: string;
  block: number; // = the number of completed blocks
  nBlocks: number;
  progress: BesaProgress;
}

export interface ResumeState {
  runKey: string;
  completed: number; // blocks 0 … completed−1 are done
  blocks: Record<LinearName, Float32Array>[]; // [completed]
  summaries: BlockSummary[]; // [completed]
  /** Inputs of block `completed`; empty when completed is 0 (the pipeline embeds the calibration ids again). */
  Xp: Float32Array[];
  Xfp?: Float32Array[];
  /** Block `completed` stopped mid-way: continue it from here instead of from step 0. */
  partial?: BesaProgress;
}

export interface CheckpointStore {
  /** Persist block cp.block (blocks are saved in order 0, 1, …; a later save supersedes X_p and any partial). */
  saveBlock(cp: BlockCheckpoint): Promise<void>;
  /** Persist the state of the block in progress (replaces the previous one); optional for a store. */
  savePartial?(cp: PartialBlockCheckpoint): Promise<void>;
  /** The state after the last completed block, or null when nothing was saved. */
  load(): Promise<ResumeState | null>;
  clear(): Promise<void>;
}

export class CheckpointMismatchError extends Error {
  constructor(where: string, saved: string, wanted: string) {
    super(
      `${where}: the saved checkpoint belongs to another run (model/config differ: saved "${saved.slice(0, 120)}…", now "${wanted.slice(0, 120)}…"). ` +
        'Resume with the same model and pruning options, or clear the checkpoint (CLI: delete the checkpoint folder or drop --resume).',
    );
    this.name = 'CheckpointMismatchError';
  }
}

export class CheckpointOrderError extends Error {
  constructor(got: number, want: number) {
    super(`checkpoint: block ${got} saved but block ${want} was expected next; blocks must be saved in order (clear the store to restart)`);
    this.name = 'CheckpointOrderError';
  }
}

const copyWeights = (w: Record<LinearName, Float32Array>) =>
  Object.fromEntries(recordLinearNames(w).map((n) => [n, w[n].slice()])) as Record<LinearName, Float32Array>;

/** Everything in memory, deep-copied on the way in and out (so callers may keep mutating theirs). */
export class MemoryCheckpointStore implements CheckpointStore {
  private state: ResumeState | null = null;

  async saveBlock(cp: BlockCheckpoint): Promise<void> {
    const st = this.state;
    if (st && st.runKey !== cp.runKey) throw new CheckpointMismatchError('MemoryCheckpointStore', st.runKey, cp.runKey);
    const want = st ? st.completed : 0;
    if (cp.block !== want) throw new CheckpointOrderError(cp.block, want);
    this.state = {
      runKey: cp.runKey,
      completed: cp.block + 1,
      blocks: [...(st?.blocks ?? []), copyWeights(cp.weights)],
      summaries: [...(st?.summaries ?? []), structuredClone(cp.summary)],
      Xp: cp.Xp.map((x) => x.slice()),
      Xfp: cp.Xfp?.map((x) => x.slice()),
    };
  }

  async savePartial(cp: PartialBlockCheckpoint): Promise<void> {
    const st = this.state;
    if (st && st.runKey !== cp.runKey) throw new CheckpointMismatchError('MemoryCheckpointStore', st.runKey, cp.runKey);
    const want = st ? st.completed : 0;
    if (cp.block !== want) throw new CheckpointOrderError(cp.block, want);
    const base: ResumeState = st ?? { runKey: cp.runKey, completed: 0, blocks: [], summaries: [], Xp: [] };
    this.state = { ...base, partial: structuredClone(cp.progress) };
  }

  async load(): Promise<ResumeState | null> {
    const st = this.state;
    if (!st) return null;
    return {
      ...st,
      blocks: st.blocks.map(copyWeights),
      summaries: structuredClone(st.summaries),
      Xp: st.Xp.map((x) => x.slice()),
      Xfp: st.Xfp?.map((x) => x.slice()),
      partial: st.partial && structuredClone(st.partial),
    };
  }

  async clear(): Promise<void> {
    this.state = null;
  }
}
