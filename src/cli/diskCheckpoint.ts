// CheckpointStore on disk for the CLI (--resume). Layout of DIR:
//   state.json               { runKey, completed, nBlocks, summaries, samples, sampleLen }  (written last, atomically)
//   block-<i>.safetensors    the 7 pruned linears of block i (tensor names q, k, v, o, gate, up, down)
//   chain-<i>.safetensors    X_p (and X_fp) after block i, [nsamples, T·C]; older chain files are deleted
// A crash between writes leaves state.json pointing at the previous, complete block.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSafetensors, writeSafetensors, type TensorToWrite } from '../model/safetensors';
import { LINEAR_NAMES, type LinearName } from '../model/spec';
import {
  CheckpointMismatchError,
  CheckpointOrderError,
  type BlockCheckpoint,
  type CheckpointStore,
  type ResumeState,
} from '../prune/checkpoint';
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
    for (const n of LINEAR_NAMES) {
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
    if (cp.block > 0) await rm(join(this.dir, `chain-${cp.block - 1}.safetensors`), { force: true });
  }

  async load(): Promise<ResumeState | null> {
    const st = await this.readState();
    if (!st) return null;
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
      blocks.push(Object.fromEntries(LINEAR_NAMES.map((n) => [n, f.f32(n)])) as Record<LinearName, Float32Array>);
    }
    const chain = await read(`chain-${st.completed - 1}.safetensors`);
    return {
      runKey: st.runKey,
      completed: st.completed,
      blocks,
      summaries: st.summaries,
      Xp: unstack(chain.f32('xp'), st.samples, st.sampleLen),
      Xfp: st.denseChain ? unstack(chain.f32('xfp'), st.samples, st.sampleLen) : undefined,
    };
  }

  async clear(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
