// CheckpointStore on disk for the CLI (--resume). Layout of DIR:
//   state.json               { runKey, completed, nBlocks, summaries, samples, sampleLen }  (written last, atomically)
//   block-<i>.safetensors    the 7 pruned linears of block i (tensor names q, k, v, o, gate, up, down)
//   chain-<i>.safetensors    X_p (and X_fp) after block i, [nsamples, T·C]; older chain files are deleted
//   partial.safetensors      the block in progress (issue #14): θ_i and the optimiser's tensors, with the step,
//                            the optimiser's scalars and the step trace as JSON metadata; deleted when it finishes
// A crash between writes leaves state.json pointing at the previous, complete block.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSafetensors, writeSafetensors, type TensorToWrite } from '../model/safetensors';
import { GPT2_LINEAR_NAMES, LINEAR_NAMES, recordLinearNames, type LinearName } from '../model/spec';
import {
  CheckpointMismatchError,
  CheckpointOrderError,
  type BlockCheckpoint,
  type CheckpointStore,
  type PartialBlockCheckpoint,
  type ResumeState,
} from '../prune/checkpoint';
import type { BesaProgress } from '../prune/methods/besa';
import type { BlockSummary } from '../prune/summary';

export interface DiskState {
  runKey: string;
  completed: number;
  nBlocks: number;
  summaries: BlockSummary[];
  samples: number;
  sampleLen: number;
  shapes: Record<LinearName, [number, number]>;
  denseChain: boolean;
}

export class CheckpointFileError extends Error {
  constructor(dir: string, what: string) {
    super(`checkpoint in ${dir}: ${what}. Delete the folder (or drop --resume) to start the run from scratch.`);
    this.name = 'CheckpointFileError';
  }
}

async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  await writeFile(path + '.tmp', data);
  await rename(path + '.tmp', path);
}

const stack = (xs: Float32Array[]): Float32Array => {
  const len = xs[0]?.length ?? 0;
  const out = new Float32Array(xs.length * len);
  xs.forEach((x, i) => out.set(x, i * len));
  return out;
};
const unstack = (a: Float32Array, n: number, len: number): Float32Array[] =>
  Array.from({ length: n }, (_, i) => a.slice(i * len, (i + 1) * len));

const PARTIAL = 'partial.safetensors';

export class DiskCheckpointStore implements CheckpointStore {
  constructor(readonly dir: string) {}

  /** The saved progress (state.json) without reading the tensors; null when there is none. */
  async readState(): Promise<DiskState | null> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'state.json'), 'utf8');
    } catch {
      return null;
    }
    try {
      return JSON.parse(text) as DiskState;
    } catch (e) {
      throw new CheckpointFileError(this.dir, `state.json is not valid JSON (${(e as Error).message})`);
    }
  }

  async saveBlock(cp: BlockCheckpoint): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const prev = await this.readState();
    if (prev && prev.runKey !== cp.runKey) throw new CheckpointMismatchError(this.dir, prev.runKey, cp.runKey);
    const want = prev ? prev.completed : 0;
    if (cp.block !== want) throw new CheckpointOrderError(cp.block, want);
    const shapes = {} as Record<LinearName, [number, number]>;
    const tensors: Record<string, TensorToWrite> = {};
    for (const n of recordLinearNames(cp.summary.layers)) {
      const s = cp.summary.layers[n];
      shapes[n] = [s.rows, s.cols];
      tensors[n] = { shape: [s.rows, s.cols], data: cp.weights[n] };
    }
    await atomicWrite(join(this.dir, `block-${cp.block}.safetensors`), writeSafetensors(tensors, { runKey: cp.runKey }));
    const sampleLen = cp.Xp[0].length;
    const chain: Record<string, TensorToWrite> = { xp: { shape: [cp.Xp.length, sampleLen], data: stack(cp.Xp) } };
    if (cp.Xfp) chain.xfp = { shape: [cp.Xfp.length, sampleLen], data: stack(cp.Xfp) };
    await atomicWrite(join(this.dir, `chain-${cp.block}.safetensors`), writeSafetensors(chain));
    const state: DiskState = {
      runKey: cp.runKey,
      completed: cp.block + 1,
      nBlocks: cp.nBlocks,
      summaries: [...(prev?.summaries ?? []), cp.summary],
      samples: cp.Xp.length,
      sampleLen,
      shapes,
      denseChain: !!cp.Xfp,
    };
    await atomicWrite(join(this.dir, 'state.json'), JSON.stringify(state, null, 1));
    await rm(join(this.dir, PARTIAL), { force: true }); // the block it described is finished
    if (cp.block > 0) await rm(join(this.dir, `chain-${cp.block - 1}.safetensors`), { force: true });
  }

  async savePartial(cp: PartialBlockCheckpoint): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const prev = await this.readState();
    if (prev && prev.runKey !== cp.runKey) throw new CheckpointMismatchError(this.dir, prev.runKey, cp.runKey);
    const want = prev ? prev.completed : 0;
    if (cp.block !== want) throw new CheckpointOrderError(cp.block, want);
    const { theta, optimizer, ...rest } = cp.progress;
    const tensors: Record<string, TensorToWrite> = {};
    theta.forEach((t, i) => (tensors[`theta.${i}`] = { shape: [t.length], data: t }));
    optimizer.tensors.forEach((ts, i) =>
      ts.forEach((t, j) => (tensors[`opt.${i}.${j}`] = { shape: [t.length], data: Float32Array.from(t) })),
    );
    // JSON keeps every f64 scalar exactly (shortest round-trip form); θ and the optimiser tensors are f32
    const meta = {
      runKey: cp.runKey,
      block: cp.block,
      kind: optimizer.kind,
      scalars: optimizer.scalars,
      counts: optimizer.tensors.map((t) => t.length),
      ...rest,
    };
    await atomicWrite(join(this.dir, PARTIAL), writeSafetensors(tensors, { progress: JSON.stringify(meta) }));
  }

  /** The block in progress, or null when none was saved. */
  async readPartial(): Promise<{ runKey: string; block: number; progress: BesaProgress } | null> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(join(this.dir, PARTIAL)));
    } catch {
      return null;
    }
    try {
      const f = parseSafetensors(bytes, PARTIAL);
      const m = JSON.parse(f.metadata.progress ?? '');
      const theta = f
        .names()
        .filter((n) => n.startsWith('theta.'))
        .map((_, i) => f.f32(`theta.${i}`));
      const tensors = (m.counts as number[]).map((c, i) => Array.from({ length: c }, (_, j) => f.f32(`opt.${i}.${j}`)));
      const progress: BesaProgress = {
        step: m.step,
        totalSteps: m.totalSteps,
        theta,
        optimizer: { kind: m.kind, scalars: m.scalars, tensors },
        firstReconLoss: m.firstReconLoss,
        trace: m.trace,
      };
      return { runKey: m.runKey, block: m.block, progress };
    } catch (e) {
      throw new CheckpointFileError(this.dir, `${PARTIAL} is unreadable (${(e as Error).message})`);
    }
  }

  async load(): Promise<ResumeState | null> {
    const st = await this.readState();
    const p = await this.readPartial();
    if (!st) return p && p.block === 0 ? { runKey: p.runKey, completed: 0, blocks: [], summaries: [], Xp: [], partial: p.progress } : null;
    const partial = p && p.runKey === st.runKey && p.block === st.completed ? p.progress : undefined;
    const read = async (f: string) => {
      try {
        return parseSafetensors(new Uint8Array(await readFile(join(this.dir, f))), f);
      } catch (e) {
        throw new CheckpointFileError(this.dir, `${f} is missing or unreadable (${(e as Error).message})`);
      }
    };
    const blocks: Record<LinearName, Float32Array>[] = [];
    for (let i = 0; i < st.completed; i++) {
      const f = await read(`block-${i}.safetensors`);
      const names = f.has('fc') ? GPT2_LINEAR_NAMES : LINEAR_NAMES;
      blocks.push(Object.fromEntries(names.map((n) => [n, f.f32(n)])) as Record<LinearName, Float32Array>);
    }
    const chain = await read(`chain-${st.completed - 1}.safetensors`);
    return {
      runKey: st.runKey,
      completed: st.completed,
      blocks,
      summaries: st.summaries,
      Xp: unstack(chain.f32('xp'), st.samples, st.sampleLen),
      Xfp: st.denseChain ? unstack(chain.f32('xfp'), st.samples, st.sampleLen) : undefined,
      partial,
    };
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
