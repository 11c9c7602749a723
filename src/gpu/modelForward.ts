// GPU forward of the whole model (dense, no masks), the GPU twin of src/model/forward.ts:
//   x = embed[ids] (+ positions, gpt2);  per block: x += attn ∘ norm;  x += mlp ∘ norm (src/gpu/block.ts)
//   then the final norm (RMSNorm, or gpt2's ln_f) and the LM head, either as per-token NLL (cross_entropy.wgsl over vocabulary
//   chunks: logits never leave the GPU) or as full logits for small vocabularies.
// Block order and definitions follow the CPU blocks (src/core/ops/archBlock.ts) exactly.
import { ForwardInputError, type ForwardLogits } from '../model/forward';
import type { ModelSpec } from '../model/spec';
import { blockForwardOps, type KvCacheSlot } from './block';
import { NO_TARGET } from './kernels/crossEntropy';
import { embeddingGather } from './kernels/embedding';
import { lmHeadLogits, lmHeadNll } from './kernels/lmHead';
import { maskedLinearForward } from './kernels/maskedLinear';
import { createRopeTable, type RopeTable } from './kernels/rope';
import { addPositions, finalNormForward } from './modelEnds';
import type { GpuBlockWeights, GpuLinear, GpuModel } from './modelWeights';
import type { GpuRuntime } from './runtime';

/** Activation buffers of one block forward at sequence length T (reused by every block). */
export interface BlockWorkspace {
  n: GPUBuffer; // [T,C] rmsnorm output (n1, then n2)
  rstd: GPUBuffer; // [T]
  mean: GPUBuffer; // [T] LayerNorm mean (gpt2)
  q: GPUBuffer; // [T,H*D]
  k: GPUBuffer; // [T,KVH*D]
  v: GPUBuffer; // [T,KVH*D]
  qr: GPUBuffer; // [T,H*D]
  kr: GPUBuffer; // [T,KVH*D]
  att: GPUBuffer; // [T,H*D]
  probs: GPUBuffer; // [H,T,maxPos] (offset attention: T query rows against up to maxPos keys)
  proj: GPUBuffer; // [T,C] o(att), then down(h)
  gate: GPUBuffer; // [T,F]
  up: GPUBuffer; // [T,F]
  h: GPUBuffer; // [T,F]
  rope: RopeTable; // cos/sin for positions 0..maxPos-1
}

/** maxPos > T: for KV-cache decoding, where T rows sit at positions up to maxPos−1 (src/gpu/decoder.ts). */
export function createBlockWorkspace(rt: GpuRuntime, spec: ModelSpec, T: number, maxPos = T): BlockWorkspace {
  const { dim: C, nHeads: H, nKvHeads: KVH, headDim: D, ffnDim: F } = spec;
  const b = (n: number, label: string) => rt.createBuffer(n * 4, `fwd.${label}`);
  return {
    n: b(T * C, 'n'),
    rstd: b(T, 'rstd'),
    mean: b(T, 'mean'),
    q: b(T * H * D, 'q'),
    k: b(T * KVH * D, 'k'),
    v: b(T * KVH * D, 'v'),
    qr: b(T * H * D, 'qr'),
    kr: b(T * KVH * D, 'kr'),
    att: b(T * H * D, 'att'),
    probs: b(H * T * maxPos, 'probs'),
    proj: b(T * C, 'proj'),
    gate: b(T * F, 'gate'),
    up: b(T * F, 'up'),
    h: b(T * F, 'h'),
    rope: createRopeTable(rt, maxPos, D, spec.ropeTheta),
  };
}

export function destroyBlockWorkspace(rt: GpuRuntime, ws: BlockWorkspace): void {
  rt.flush(); // destroy only after the commands using the buffers are submitted
  const { rope, ...bufs } = ws;
  rt.destroy(rope.buffer, ...Object.values(bufs));
}

/**
 * One dense decoder block in place on the residual stream x [T, C]: blockForwardOps with x1 = y = x.
 * With `kv`, x holds positions kv.pos.. and attention reads (and extends) the block's KV cache.
 */
export function gpuBlockForward(
  rt: GpuRuntime,
  spec: ModelSpec,
  w: GpuBlockWeights,
  x: GPUBuffer,
  T: number,
  ws: BlockWorkspace,
  kv?: KvCacheSlot,
): void {
  const { n, rstd, mean, ...rest } = ws;
  const bufs = { ...rest, n1: n, rstd1: rstd, mean1: mean, n2: n, rstd2: rstd, mean2: mean, x1: x, y: x };
  blockForwardOps(
    rt,
    spec,
    w,
    (name, inp, out) => {
      const l: GpuLinear = w[name];
      maskedLinearForward(rt, { x: inp, w: l.w, mask: null, bias: l.b, weff: null, y: out }, { T, In: l.in, Out: l.out });
    },
    x,
    bufs,
    T,
    kv,
  );
}

export function checkIds(spec: ModelSpec, ids: ArrayLike<number>): void {
  if (ids.length === 0) throw new ForwardInputError('gpu forward: empty input; pass at least one token id');
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t];
    if (!Number.isInteger(id) || id < 0 || id >= spec.vocabSize)
      throw new ForwardInputError(
        `gpu forward: token id ${id} at position ${t} is outside the vocabulary [0, ${spec.vocabSize}); the ids come from another tokenizer`,
      );
  }
}

/**
 * ids [T] → final-normed hidden states [T, C] (a new buffer owned by the caller). All work is
 * recorded on rt's encoder; nothing is read back.
 */
export function gpuFinalHidden(rt: GpuRuntime, model: GpuModel, ids: ArrayLike<number>): GPUBuffer {
  const { spec } = model;
  checkIds(spec, ids);
  const T = ids.length;
  const C = spec.dim;
  const gIds = rt.upload(Uint32Array.from(ids), 'fwd.ids');
  if (model.pos && T > spec.maxSeqLen)
    throw new ForwardInputError(
      `gpu forward: ${T} tokens, but this model has learned positions for ${spec.maxSeqLen}; use a sequence length ≤ ${spec.maxSeqLen}`,
    );
  const x = embeddingGather(rt, gIds, model.embed, T);
  addPositions(rt, spec, model.pos, x, T);
  const ws = createBlockWorkspace(rt, spec, T);
  for (const b of model.blocks) gpuBlockForward(rt, spec, b, x, T, ws);
  const y = rt.createBuffer(T * C * 4, 'fwd.final');
  finalNormForward(rt, spec, model.finalNorm, x, y, ws, T);
  destroyBlockWorkspace(rt, ws);
  rt.destroy(gIds, x);
  return y;
}

/**
 * Next-token NLL of a window: nll[t] = −log p(ids[t+1] | ids[0..t]) for t < T−1, nll[T−1] = 0.
 * Only these T floats are read back. `cols`: vocabulary columns per LM-head step (see lmHeadNll).
 */
export async function gpuTokenNll(
  rt: GpuRuntime,
  model: GpuModel,
  ids: ArrayLike<number>,
  opts: { cols?: number } = {},
): Promise<Float32Array> {
  const T = ids.length;
  const y = gpuFinalHidden(rt, model, ids);
  const tg = new Uint32Array(T);
  for (let t = 0; t < T - 1; t++) tg[t] = ids[t + 1];
  tg[T - 1] = NO_TARGET;
  const gT = rt.upload(tg, 'fwd.targets');
  const { nll, state } = lmHeadNll(rt, y, model.head, gT, T, { cols: opts.cols });
  const out = await rt.read(nll, T * 4);
  rt.destroy(y, gT, nll, state);
  return out;
}

/** Full logits [T, V] read back: the ForwardLogits plug for src/eval/perplexity.ts (small V only). */
export function gpuForwardLogits(rt: GpuRuntime, model: GpuModel): ForwardLogits {
  return async (ids) => {
    const T = ids.length;
    const y = gpuFinalHidden(rt, model, ids);
    const logits = lmHeadLogits(rt, y, model.head, T);
    const out = await rt.read(logits, T * model.spec.vocabSize * 4);
    rt.destroy(y, logits);
    return out;
  };
}
