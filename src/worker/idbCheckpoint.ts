// The pipeline's CheckpointStore over IndexedDB, so a run survives a reload, a crashed tab or a lost
// GPU device: after every completed block the pruned linears of that block and the chain state X_p
// (inputs of the next block) are written in ONE transaction, so the stored state is always a
// consistent "blocks 0…k done" (src/prune/checkpoint.ts semantics, same order checks as the
// in-memory store). A small 'meta' record also keeps the RunConfig and model, so the studio can
// offer "resume" after a reload before anything is re-run.
import type { BlockCheckpoint, CheckpointStore, PartialBlockCheckpoint, ResumeState } from '../prune/checkpoint';
import type { BesaProgress } from '../prune/methods/besa';
import { CheckpointMismatchError, CheckpointOrderError } from '../prune/checkpoint';
import type { RunConfig } from '../prune/config';
import type { BlockSummary } from '../prune/summary';
import type { LinearName } from '../model/spec';
import type { CheckpointInfo } from './protocol';

const DB_NAME = 'besa-studio-checkpoints';
const BLOCKS = 'blocks';
const META = 'meta';
/** META key of the block in progress (issue #14): θ, optimiser state and step trace, replaced at every save. */
const PARTIAL = 'partial';

interface PartialRecord {
  runKey: string;
  block: number;
  progress: BesaProgress;
}

interface MetaRecord extends CheckpointInfo {
  summaries: BlockSummary[];
  Xp: Float32Array[];
  Xfp?: Float32Array[];
}

export class CheckpointStorageError extends Error {
  constructor(what: string, cause: unknown) {
    super(
      `IndexedDB checkpoint ${what} failed (${(cause as Error)?.message ?? String(cause)}); the run continues but cannot be resumed after a reload. Free disk space or allow site storage.`,
    );
    this.name = 'CheckpointStorageError';
  }
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(BLOCKS);
      req.result.createObjectStore(META);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

function get<T>(store: IDBObjectStore, key: IDBValidKey): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const r = store.get(key);
    r.onsuccess = () => resolve(r.result as T | undefined);
    r.onerror = () => reject(r.error);
  });
}

/** Read the unfinished run's description (no weights), or null. */
export async function peekCheckpoint(): Promise<CheckpointInfo | null> {
  const db = await openDb();
  try {
    const meta = db.transaction(META).objectStore(META);
    const m = await get<MetaRecord>(meta, 'state');
    if (!m) return null;
    const { runKey, modelSha256, modelName, config, completed, nBlocks, savedAt } = m;
    const p = await get<PartialRecord>(meta, PARTIAL);
    const partial = p && p.block === completed ? { step: p.progress.step, totalSteps: p.progress.totalSteps } : undefined;
    return { runKey, modelSha256, modelName, config, completed, nBlocks, savedAt, ...(partial ? { partial } : {}) };
  } finally {
    db.close();
  }
}

export class IdbCheckpointStore implements CheckpointStore {
  /** The run this store records (the pipeline's BlockCheckpoint does not carry config or model). */
  constructor(private readonly ctx: { modelSha256: string; modelName: string; config: RunConfig }) {}

  async saveBlock(cp: BlockCheckpoint): Promise<void> {
    const db = await openDb();
    try {
      const tx = db.transaction([BLOCKS, META], 'readwrite');
      const meta = tx.objectStore(META);
      const prev = await get<MetaRecord>(meta, 'state');
      if (prev && prev.runKey !== cp.runKey) throw new CheckpointMismatchError('IdbCheckpointStore', prev.runKey, cp.runKey);
      const want = prev ? prev.completed : 0;
      if (cp.block !== want) throw new CheckpointOrderError(cp.block, want);
      tx.objectStore(BLOCKS).put(cp.weights, cp.block);
      const rec: MetaRecord = {
        runKey: cp.runKey,
        modelSha256: this.ctx.modelSha256,
        modelName: this.ctx.modelName,
        config: this.ctx.config,
        completed: cp.block + 1,
        nBlocks: cp.nBlocks,
        savedAt: new Date().toISOString(),
        summaries: [...(prev?.summaries ?? []), cp.summary],
        Xp: cp.Xp,
        ...(cp.Xfp ? { Xfp: cp.Xfp } : {}),
      };
      meta.put(rec, 'state');
      meta.delete(PARTIAL); // the block it described is finished
      await done(tx);
    } finally {
      db.close();
    }
  }

  async savePartial(cp: PartialBlockCheckpoint): Promise<void> {
    const db = await openDb();
    try {
      const tx = db.transaction([META], 'readwrite');
      const meta = tx.objectStore(META);
      const prev = await get<MetaRecord>(meta, 'state');
      if (prev && prev.runKey !== cp.runKey) throw new CheckpointMismatchError('IdbCheckpointStore', prev.runKey, cp.runKey);
      const want = prev ? prev.completed : 0;
      if (cp.block !== want) throw new CheckpointOrderError(cp.block, want);
      // block 0 in progress: a state with nothing completed, so the studio offers Resume after a reload
      const rec: MetaRecord = prev
        ? { ...prev, savedAt: new Date().toISOString() }
        : {
            runKey: cp.runKey,
            modelSha256: this.ctx.modelSha256,
            modelName: this.ctx.modelName,
            config: this.ctx.config,
            completed: 0,
            nBlocks: cp.nBlocks,
            savedAt: new Date().toISOString(),
            summaries: [],
            Xp: [],
          };
      meta.put(rec, 'state');
      const p: PartialRecord = { runKey: cp.runKey, block: cp.block, progress: cp.progress };
      meta.put(p, PARTIAL);
      await done(tx);
    } finally {
      db.close();
    }
  }

  async load(): Promise<ResumeState | null> {
    const db = await openDb();
    try {
      const tx = db.transaction([BLOCKS, META]);
      const m = await get<MetaRecord>(tx.objectStore(META), 'state');
      if (!m) return null;
      const blocks: Record<LinearName, Float32Array>[] = [];
      for (let b = 0; b < m.completed; b++) {
        const w = await get<Record<LinearName, Float32Array>>(tx.objectStore(BLOCKS), b);
        if (!w) throw new CheckpointOrderError(b, b); // a block record is missing: the store is damaged
        blocks.push(w);
      }
      const p = await get<PartialRecord>(tx.objectStore(META), PARTIAL);
      const partial = p && p.runKey === m.runKey && p.block === m.completed ? p.progress : undefined;
      return { runKey: m.runKey, completed: m.completed, blocks, summaries: m.summaries, Xp: m.Xp, Xfp: m.Xfp, partial };
    } finally {
      db.close();
    }
  }

  async clear(): Promise<void> {
    await clearCheckpoints();
  }
}

export async function clearCheckpoints(): Promise<void> {
  const db = await openDb();
  try {
    const tx = db.transaction([BLOCKS, META], 'readwrite');
    tx.objectStore(BLOCKS).clear();
    tx.objectStore(META).clear();
    await done(tx);
  } finally {
    db.close();
  }
}
