// Incremental decoding with a KV cache on the GPU: next-token logits for generate()
// (src/eval/generate.ts) without re-running the whole context for every new token.
//   prefill: the blocks on all T ids (positions 0..T−1), each block appending its rotated K and V to
//            its cache [capacity, KVH·D];
//   step:    when the ids extend the previous call's ids by one token, the blocks run on that ONE row
//            at position p = previous length, attending over the cached positions 0..p.
// Anything else (a new prompt, or generate()'s sliding window once the sequence exceeds contextLength,
// which drops the first id and so changes every position) is prefilled from scratch: the cached keys
// were rotated at their old positions, so they cannot be shifted. Past the window, every token thus
// costs one prefill of contextLength rows, as much as the full recompute.
// Only the last row goes through the final RMSNorm and LM head. Same op sequence as the full forward
// (blockForwardOps), so step logits equal the full forward's last row up to f32 summation order.
import type { NextTokenLogits } from '../eval/generate';
import { embeddingGather } from './kernels/embedding';
import { lmHeadLogits } from './kernels/lmHead';
import { addPositions, finalNormForward } from './modelEnds';
import { checkIds, createBlockWorkspace, destroyBlockWorkspace, gpuBlockForward, type BlockWorkspace } from './modelForward';
import type { GpuModel } from './modelWeights';
import type { GpuRuntime } from './runtime';

export interface DecoderStats {
  /** Calls answered by a forward over all ids (first call, non-extending ids, slid window). */
  prefills: number;
  /** Calls answered by one cached row. */
  steps: number;
  /** Positions the caches currently hold room for. */
  capacity: number;
}

/** NextTokenLogits with a per-generation KV cache; call dispose() when the generation is done. */
export type GpuDecoder = NextTokenLogits & { readonly stats: DecoderStats; dispose(): void };

/** Default first cache size; the caches double (keeping their contents) when a sequence outgrows them. */
const MIN_CAPACITY = 64;

export interface DecoderOptions {
  /** Positions the caches start with (default 64, or the prompt length if longer). */
  initialCapacity?: number;
}

/** One decoder per generation (the caches hold that sequence); `model` must outlive it. */
export function gpuIncrementalDecoder(rt: GpuRuntime, model: GpuModel, opts: DecoderOptions = {}): GpuDecoder {
  const minCapacity = opts.initialCapacity ?? MIN_CAPACITY;
  if (!Number.isInteger(minCapacity) || minCapacity < 1)
    throw new RangeError(`gpuIncrementalDecoder: initialCapacity must be a positive integer, got ${minCapacity}.`);
  const { spec } = model;
  const { dim: C, nKvHeads: KVH, headDim: D, vocabSize: V } = spec;
  const KVD = KVH * D;
  const stats: DecoderStats = { prefills: 0, steps: 0, capacity: 0 };
  let caches: { k: GPUBuffer; v: GPUBuffer }[] = [];
  let stepWs: BlockWorkspace | null = null; // T = 1 at positions < capacity
  let seen: Int32Array | null = null; // ids whose K/V are cached (positions 0..seen.length−1)
  let disposed = false;
  const idBuf = rt.createBuffer(4, 'dec.id');
  const xRow = rt.createBuffer(C * 4, 'dec.xRow'); // [1, C] residual stream of the newest row
  const yRow = rt.createBuffer(C * 4, 'dec.yRow'); // [1, C] final-normed
  const rstd = rt.createBuffer(4, 'dec.rstd');
  const mean = rt.createBuffer(4, 'dec.mean'); // LayerNorm scratch (gpt2)
  const logits = rt.createBuffer(V * 4, 'dec.logits'); // [1, V]

  /** Room for n positions: new caches (old rows copied over) and a step workspace whose RoPE table covers them. */
  function ensureCapacity(n: number, keep: number): void {
    if (n <= stats.capacity) return;
    const cap = Math.max(minCapacity, n, 2 * stats.capacity);
    const next = model.blocks.map((_, i) => ({
      k: rt.createBuffer(cap * KVD * 4, `dec.kcache${i}`), // [cap, KVH·D] rotated keys
      v: rt.createBuffer(cap * KVD * 4, `dec.vcache${i}`), // [cap, KVH·D] values
    }));
    if (keep > 0)
      caches.forEach((c, i) => {
        rt.copy(c.k, next[i].k, keep * KVD * 4);
        rt.copy(c.v, next[i].v, keep * KVD * 4);
      });
    if (stepWs)
      destroyBlockWorkspace(rt, stepWs); // flushes, so the copies above are submitted first
    else rt.flush();
    rt.destroy(...caches.flatMap((c) => [c.k, c.v]));
    caches = next;
    stepWs = createBlockWorkspace(rt, spec, 1, cap);
    stats.capacity = cap;
  }

  /** Final RMSNorm + LM head on the row in xRow, read back as logits [V]. */
  async function head(): Promise<Float32Array> {
    finalNormForward(rt, spec, model.finalNorm, xRow, yRow, { rstd, mean }, 1);
    lmHeadLogits(rt, yRow, model.head, 1, logits);
    return rt.read(logits, V * 4);
  }

  async function prefill(ids: Int32Array): Promise<Float32Array> {
    const T = ids.length;
    ensureCapacity(T, 0);
    const gIds = rt.upload(Uint32Array.from(ids), 'dec.ids');
    const x = embeddingGather(rt, gIds, model.embed, T); // [T, C]
    addPositions(rt, spec, model.pos, x, T);
    const ws = createBlockWorkspace(rt, spec, T);
    model.blocks.forEach((b, i) => gpuBlockForward(rt, spec, b, x, T, ws, { ...caches[i], pos: 0 }));
    rt.copy(x, xRow, C * 4, (T - 1) * C * 4); // only the last row's logits are wanted
    const out = await head();
    destroyBlockWorkspace(rt, ws);
    rt.destroy(gIds, x);
    stats.prefills++;
    return out;
  }

  async function step(id: number, pos: number): Promise<Float32Array> {
    ensureCapacity(pos + 1, pos);
    // safe to overwrite: the previous call's read submitted every command that used idBuf
    rt.write(idBuf, Uint32Array.of(id));
    embeddingGather(rt, idBuf, model.embed, 1, xRow);
    addPositions(rt, spec, model.pos, xRow, 1, pos);
    for (let i = 0; i < model.blocks.length; i++) gpuBlockForward(rt, spec, model.blocks[i], xRow, 1, stepWs!, { ...caches[i], pos });
    stats.steps++;
    return head();
  }

  const next = async (ids: Int32Array): Promise<Float32Array> => {
    if (disposed) throw new Error('gpuIncrementalDecoder: used after dispose(); create one decoder per generation.');
    checkIds(spec, ids);
    const prev = seen;
    seen = null; // stays null if this call throws: the caches may then be half-written
    const extends1 = prev !== null && ids.length === prev.length + 1 && prev.every((t, i) => ids[i] === t);
    const out = extends1 ? await step(ids[ids.length - 1], prev.length) : await prefill(ids);
    seen = Int32Array.from(ids);
    return out;
  };

  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    if (stepWs) destroyBlockWorkspace(rt, stepWs);
    else rt.flush();
    rt.destroy(idBuf, xRow, yRow, rstd, mean, logits, ...caches.flatMap((c) => [c.k, c.v]));
    caches = [];
  };

  return Object.assign(next, { stats, dispose });
}
