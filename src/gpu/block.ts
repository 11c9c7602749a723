// One decoder block with per-linear masks on the GPU, forward and backward: the GPU twin of the CPU
// blocks (src/core/ops/archBlock.ts), i.e. what BESA trains per block (docs/besa.md §1.5 masked linears,
// §1.6 block reconstruction). Weights are frozen; the backward gives dx and dL/dM for every linear
// (computed even where the mask is absent, i.e. at M = 1). Both architectures (docs/gpt2.md §2):
//   llama: n1 = rmsnorm(x);  q,k,v = lin(n1);  a = attn(rope(q), rope(k), v);  x1 = x + o(a)
//          n2 = rmsnorm(x1); y = x1 + down(swiglu(gate(n2), up(n2)))
//   gpt2:  n1 = LN(x);  q,k,v = lin(n1) + b;  a = attn(q, k, v);  x1 = x + o(a) + b
//          n2 = LN(x1); y = x1 + proj(gelu(fc(n2) + b)) + b
// Everything is recorded on the runtime's encoder; nothing is read back.
import { blockArch, linearNames, linearShapes, type LinearName, type ModelSpec } from '../model/spec';
import { ShapeError } from './errors';
import { add, addInPlace } from './kernels/add';
import { attentionBackwardGpu, attentionForwardGpu } from './kernels/attention';
import { geluBackward, geluForward } from './kernels/gelu';
import { layernormBackward, layernormForward } from './kernels/layernorm';
import { maskedLinearBackward, maskedLinearForward } from './kernels/maskedLinear';
import { rmsnormBackward, rmsnormForward } from './kernels/rmsnorm';
import { createRopeTable, ropeBackward, ropeForward, type RopeTable } from './kernels/rope';
import { swigluBackward, swigluForward } from './kernels/swiglu';
import type { GpuRuntime } from './runtime';

/** A frozen linear on the GPU: w [out, in], b [out] or null (structurally a modelWeights GpuLinear). */
export interface BlockLinearGpu {
  w: GPUBuffer;
  b: GPUBuffer | null;
  out: number;
  in: number;
}

/** The linears of the block's architecture are present (linearNames(spec)); the others are not. */
export interface BlockWeightsGpu extends Record<LinearName, BlockLinearGpu> {
  attnNorm: GPUBuffer; // [C]
  mlpNorm: GPUBuffer; // [C]
  attnNormBias?: GPUBuffer; // [C] gpt2 LayerNorm bias (zeros for nanoGPT bias=False)
  mlpNormBias?: GPUBuffer; // [C]
}

/** The block's norms: RMSNorm weights (llama), or LayerNorm weights and biases (gpt2). */
export type BlockNormsGpu = Pick<BlockWeightsGpu, 'attnNorm' | 'mlpNorm' | 'attnNormBias' | 'mlpNormBias'>;

/** Masks [out, in] per linear; a missing entry means dense. */
export type BlockMasksGpu = Partial<Record<LinearName, GPUBuffer>> | null;

/** Forward activations saved for the backward (GPU twin of BlockSaved), for one sequence length T. */
export interface BlockActivationsGpu {
  T: number;
  n1: GPUBuffer; // [T,C]
  rstd1: GPUBuffer; // [T]
  mean1: GPUBuffer; // [T] LayerNorm mean (gpt2; unused by llama)
  q: GPUBuffer; // [T,H*D] before rope
  k: GPUBuffer; // [T,KVH*D] before rope
  v: GPUBuffer; // [T,KVH*D]
  qr: GPUBuffer; // [T,H*D] after rope
  kr: GPUBuffer; // [T,KVH*D] after rope
  probs: GPUBuffer; // [H,T,T]
  att: GPUBuffer; // [T,H*D]
  proj: GPUBuffer; // [T,C] o(att), then down(h)
  x1: GPUBuffer; // [T,C]
  n2: GPUBuffer; // [T,C]
  rstd2: GPUBuffer; // [T]
  mean2: GPUBuffer; // [T]
  gate: GPUBuffer; // [T,F] (gpt2: fc(n2) before GELU)
  up: GPUBuffer; // [T,F]
  h: GPUBuffer; // [T,F]
  y: GPUBuffer; // [T,C] block output
  weff: Record<LinearName, GPUBuffer>; // [out,in] W ⊙ M of the last forward (unused for dense linears)
  rope: RopeTable; // positions 0..T-1
}

/** Backward scratch and outputs for one sequence length T. */
export interface BlockGradsGpu {
  T: number;
  dx: GPUBuffer; // [T,C] out
  dMask: Record<LinearName, GPUBuffer>; // [out,in] out (dL/dM)
  dh: GPUBuffer; // [T,F]
  dgate: GPUBuffer; // [T,F]
  dup: GPUBuffer; // [T,F]
  dn: GPUBuffer; // [T,C] dn2, then dn1
  dx1: GPUBuffer; // [T,C]
  datt: GPUBuffer; // [T,H*D]
  dqr: GPUBuffer; // [T,H*D]
  dkr: GPUBuffer; // [T,KVH*D]
  dv: GPUBuffer; // [T,KVH*D]
  dq: GPUBuffer; // [T,H*D]
  dk: GPUBuffer; // [T,KVH*D]
  attnScratch: GPUBuffer; // [H,T,T]
  gradScratch: GPUBuffer; // [max out·in] dL/dW_eff, reused by every linear
}

function dims(spec: ModelSpec) {
  const { dim: C, nHeads: H, nKvHeads: KVH, headDim: D, ffnDim: F } = spec;
  return { C, H, KVH, D, F, QD: H * D, KVD: KVH * D };
}

function checkT(T: number, have: number, what: string): void {
  if (!Number.isInteger(T) || T <= 0) throw new ShapeError(`block: T must be a positive integer (got ${T}).`);
  if (T !== have) throw new ShapeError(`block: ${what} were created for T=${have} but T=${T} was passed; create them for this length.`);
}

export function createBlockActivations(rt: GpuRuntime, spec: ModelSpec, T: number): BlockActivationsGpu {
  const { C, H, D, F, QD, KVD } = dims(spec);
  const b = (n: number, label: string) => rt.createBuffer(n * 4, `block.${label}`);
  const shapes = linearShapes(spec);
  const weff = {} as Record<LinearName, GPUBuffer>;
  for (const n of linearNames(spec)) weff[n] = b(shapes[n][0] * shapes[n][1], `weff.${n}`);
  return {
    T,
    n1: b(T * C, 'n1'),
    rstd1: b(T, 'rstd1'),
    mean1: b(T, 'mean1'),
    q: b(T * QD, 'q'),
    k: b(T * KVD, 'k'),
    v: b(T * KVD, 'v'),
    qr: b(T * QD, 'qr'),
    kr: b(T * KVD, 'kr'),
    probs: b(H * T * T, 'probs'),
    att: b(T * QD, 'att'),
    proj: b(T * C, 'proj'),
    x1: b(T * C, 'x1'),
    n2: b(T * C, 'n2'),
    rstd2: b(T, 'rstd2'),
    mean2: b(T, 'mean2'),
    gate: b(T * F, 'gate'),
    up: b(T * F, 'up'),
    h: b(T * F, 'h'),
    y: b(T * C, 'y'),
    weff,
    rope: createRopeTable(rt, T, D, spec.ropeTheta),
  };
}

export function createBlockGrads(rt: GpuRuntime, spec: ModelSpec, T: number): BlockGradsGpu {
  const { C, H, F, QD, KVD } = dims(spec);
  const b = (n: number, label: string) => rt.createBuffer(n * 4, `block.${label}`);
  const shapes = linearShapes(spec);
  const dMask = {} as Record<LinearName, GPUBuffer>;
  let maxW = 0;
  for (const n of linearNames(spec)) {
    dMask[n] = b(shapes[n][0] * shapes[n][1], `dMask.${n}`);
    maxW = Math.max(maxW, shapes[n][0] * shapes[n][1]);
  }
  return {
    T,
    dx: b(T * C, 'dx'),
    dMask,
    dh: b(T * F, 'dh'),
    dgate: b(T * F, 'dgate'),
    dup: b(T * F, 'dup'),
    dn: b(T * C, 'dn'),
    dx1: b(T * C, 'dx1'),
    datt: b(T * QD, 'datt'),
    dqr: b(T * QD, 'dqr'),
    dkr: b(T * KVD, 'dkr'),
    dv: b(T * KVD, 'dv'),
    dq: b(T * QD, 'dq'),
    dk: b(T * KVD, 'dk'),
    attnScratch: b(H * T * T, 'attnScratch'),
    gradScratch: b(maxW, 'gradScratch'),
  };
}

/** Free the buffers (after submitting the work that uses them). */
export function destroyBlockBuffers(rt: GpuRuntime, s: BlockActivationsGpu | BlockGradsGpu): void {
  rt.flush();
  for (const [key, v] of Object.entries(s)) {
    if (key === 'T') continue;
    if (key === 'rope') rt.destroy((v as RopeTable).buffer);
    else if (key === 'weff' || key === 'dMask') rt.destroy(...Object.values(v as Record<LinearName, GPUBuffer>));
    else rt.destroy(v as GPUBuffer);
  }
}

function checkLinear(spec: ModelSpec, w: BlockWeightsGpu, n: LinearName): void {
  const [out, inp] = linearShapes(spec)[n];
  if (w[n].out !== out || w[n].in !== inp) {
    throw new ShapeError(
      `block: linear ${n} is [${w[n].out}, ${w[n].in}] but the spec needs [${out}, ${inp}]; check the weights match the ModelSpec.`,
    );
  }
}

/**
 * What one forward writes. The dense eval path (modelForward.ts) runs in place by aliasing x1 = y = x, n2 = n1,
 * rstd2 = rstd1. A GPT-2 block also needs the LayerNorm means (mean1, mean2); a LLaMA block leaves them alone.
 */
export type BlockForwardBuffers = Pick<
  BlockActivationsGpu,
  'n1' | 'rstd1' | 'q' | 'k' | 'v' | 'qr' | 'kr' | 'probs' | 'att' | 'proj' | 'x1' | 'n2' | 'rstd2' | 'gate' | 'up' | 'h' | 'y' | 'rope'
> &
  Partial<Pick<BlockActivationsGpu, 'mean1' | 'mean2'>>;

/** The pre-attention (1) or pre-MLP (2) norm of either architecture: y [rows, C] from x. */
function normForward(
  rt: GpuRuntime,
  spec: ModelSpec,
  norms: BlockNormsGpu,
  which: 1 | 2,
  x: GPUBuffer,
  a: BlockForwardBuffers,
  rows: number,
): void {
  const [w, bias, y, rstd, mean] =
    which === 1 ? [norms.attnNorm, norms.attnNormBias, a.n1, a.rstd1, a.mean1] : [norms.mlpNorm, norms.mlpNormBias, a.n2, a.rstd2, a.mean2];
  if (blockArch(spec) === 'llama') return rmsnormForward(rt, x, w, y, rstd, rows, spec.dim, spec.normEps);
  if (!bias || !mean) throw new ShapeError('block: a GPT-2 block needs its LayerNorm biases and mean buffers (mean1, mean2).');
  layernormForward(rt, x, w, bias, y, mean, rstd, rows, spec.dim, spec.normEps);
}
/** y = linear n applied to x (masked or dense, chosen by the caller). */
export type ApplyLinear = (n: LinearName, x: GPUBuffer, y: GPUBuffer) => void;

/** out = x + d; in place when out is x (a buffer cannot be bound read-only and writable in one dispatch). */
function residual(rt: GpuRuntime, x: GPUBuffer, d: GPUBuffer, out: GPUBuffer, n: number): void {
  if (out === x) addInPlace(rt, x, d, n);
  else add(rt, x, d, out, n);
}

/**
 * A block's KV cache for incremental decoding: rotated keys and values [maxSeqLen, KVH·D] of the
 * positions 0..pos−1 seen so far. The T rows of this call sit at positions pos..pos+T−1.
 */
export interface KvCacheSlot {
  k: GPUBuffer;
  v: GPUBuffer;
  pos: number;
}

/**
 * The block's op sequence (blockForwardRef order), shared by the BESA forward below and the dense
 * eval forward. With `kv`, the rows are rotated at their absolute positions (a.rope must cover
 * pos+T rows), their K/V are appended to the cache and attention runs over all pos+T cached keys;
 * the output equals rows pos..pos+T−1 of the forward on the whole sequence.
 */
export function blockForwardOps(
  rt: GpuRuntime,
  spec: ModelSpec,
  norms: BlockNormsGpu,
  lin: ApplyLinear,
  x: GPUBuffer,
  a: BlockForwardBuffers,
  T: number,
  kv?: KvCacheSlot,
  seqs = 1,
): void {
  const { C, H, KVH, D, F, KVD } = dims(spec);
  const pos = kv?.pos ?? 0;
  if (kv && seqs !== 1) throw new ShapeError('block: a KV cache holds one sequence; pass seqs = 1 with kv.');
  const rows = seqs * T; // seqs sequences of T rows, one after another: every op but attention is row-wise
  const gpt2 = blockArch(spec) === 'gpt2';
  normForward(rt, spec, norms, 1, x, a, rows);
  lin('q', a.n1, a.q);
  lin('k', a.n1, a.k);
  lin('v', a.n1, a.v);
  if (!gpt2) {
    ropeForward(rt, a.rope, a.q, a.qr, rows, H, D, spec.ropeLayout, pos); // a batch's table repeats 0..T−1
    ropeForward(rt, a.rope, a.k, a.kr, rows, KVH, D, spec.ropeLayout, pos);
  }
  const [qa, ka] = gpt2 ? [a.q, a.k] : [a.qr, a.kr]; // GPT-2's positions are in the embedding: no rotation
  if (kv) {
    // append rows pos..pos+T−1 (copies: the linear and rope kernels write from row 0 of their output)
    rt.copy(ka, kv.k, T * KVD * 4, 0, pos * KVD * 4);
    rt.copy(a.v, kv.v, T * KVD * 4, 0, pos * KVD * 4);
    attentionForwardGpu(rt, qa, kv.k, kv.v, { T, H, KVH, D, offset: pos }, { out: a.att, probs: a.probs });
  } else {
    // one probs [H, T, T] serves every sequence in turn (the batched passes keep no backward state)
    for (let seq = 0; seq < seqs; seq++) attentionForwardGpu(rt, qa, ka, a.v, { T, H, KVH, D, seq }, { out: a.att, probs: a.probs });
  }
  lin('o', a.att, a.proj);
  residual(rt, x, a.proj, a.x1, rows * C); // x1 = x + o(att)
  normForward(rt, spec, norms, 2, a.x1, a, rows);
  if (gpt2) {
    lin('fc', a.n2, a.gate);
    geluForward(rt, a.gate, a.h, rows * F);
    lin('proj', a.h, a.proj);
  } else {
    lin('gate', a.n2, a.gate);
    lin('up', a.n2, a.up);
    swigluForward(rt, a.gate, a.up, a.h, rows * F);
    lin('down', a.h, a.proj);
  }
  residual(rt, a.x1, a.proj, a.y, rows * C); // y = x1 + mlp(h)
}

/** Forward of one block on x [T, C] (kept); writes a.y and every saved activation. ~20–30 dispatches. */
export function blockForwardGpu(
  rt: GpuRuntime,
  spec: ModelSpec,
  w: BlockWeightsGpu,
  masks: BlockMasksGpu,
  x: GPUBuffer,
  a: BlockActivationsGpu,
  T: number,
): void {
  checkT(T, a.T, 'activations');
  blockForwardOps(
    rt,
    spec,
    w,
    (n, inp, out) => {
      checkLinear(spec, w, n);
      maskedLinearForward(
        rt,
        { x: inp, w: w[n].w, mask: masks?.[n] ?? null, bias: w[n].b, weff: a.weff[n], y: out },
        { T, In: w[n].in, Out: w[n].out },
      );
    },
    x,
    a,
    T,
  );
}

export interface BlockBackwardOptions {
  /** dMask += this sequence's gradient (sum over a mini-batch) instead of overwriting. */
  accumulateDMask?: boolean;
  /**
   * false: leave g.dx unwritten. BESA trains one block against a fixed target, so nothing uses dL/dX; this
   * skips the q, k, v input gradients, the first RMSNorm backward and a residual add (3 of 21 matmuls).
   */
  needDx?: boolean;
}

/**
 * Backward of blockForwardGpu from dy [T, C] (not modified), using the activations of the forward on
 * the same x and masks. Writes g.dx [T, C] and g.dMask (dL/dM = (dYᵀX) ⊙ W per linear, docs/besa.md §1.5).
 */
export function blockBackwardGpu(
  rt: GpuRuntime,
  spec: ModelSpec,
  w: BlockWeightsGpu,
  masks: BlockMasksGpu,
  x: GPUBuffer /*[T,C]*/,
  a: BlockActivationsGpu,
  dy: GPUBuffer /*[T,C]*/,
  g: BlockGradsGpu,
  T: number,
  opts: BlockBackwardOptions = {},
): void {
  checkT(T, a.T, 'activations');
  checkT(T, g.T, 'gradient buffers');
  const { C, H, KVH, D, F } = dims(spec);
  const accumulateDMask = opts.accumulateDMask ?? false;
  const needDx = opts.needDx ?? true;
  // dX of a linear (into dx, or added to it) and its mask gradient.
  const back = (n: LinearName, inp: GPUBuffer, dOut: GPUBuffer, dIn: GPUBuffer | null, accumulateDx = false) => {
    checkLinear(spec, w, n);
    const weff = masks?.[n] ? a.weff[n] : w[n].w; // as written by the forward
    maskedLinearBackward(
      rt,
      { x: inp, w: w[n].w, weff, dy: dOut, dx: dIn, dMask: g.dMask[n], gradScratch: g.gradScratch },
      { T, In: w[n].in, Out: w[n].out },
      { accumulateDx, accumulateDMask },
    );
  };

  const gpt2 = blockArch(spec) === 'gpt2';
  const normBack = (xIn: GPUBuffer, which: 1 | 2, dOut: GPUBuffer, dIn: GPUBuffer) => {
    const [nw, rstd, mean] = which === 1 ? [w.attnNorm, a.rstd1, a.mean1] : [w.mlpNorm, a.rstd2, a.mean2];
    if (gpt2) layernormBackward(rt, xIn, nw, mean, rstd, dOut, dIn, T, C);
    else rmsnormBackward(rt, xIn, nw, rstd, dOut, dIn, T, C);
  };

  // MLP half: y = x1 + down(swiglu(gate(n2), up(n2)))   (gpt2: x1 + proj(gelu(fc(n2))))
  if (gpt2) {
    back('proj', a.h, dy, g.dh);
    geluBackward(rt, a.gate, g.dh, g.dgate, T * F);
    back('fc', a.n2, g.dgate, g.dn);
  } else {
    back('down', a.h, dy, g.dh);
    swigluBackward(rt, a.gate, a.up, g.dh, g.dgate, g.dup, T * F);
    back('gate', a.n2, g.dgate, g.dn);
    back('up', a.n2, g.dup, g.dn, true); // dn2 = dgate·Wg + dup·Wu
  }
  normBack(a.x1, 2, g.dn, g.dx1);
  addInPlace(rt, g.dx1, dy, T * C); // residual

  // Attention half: x1 = x + o(attn(rope(q(n1)), rope(k(n1)), v(n1)))   (gpt2: no rope)
  back('o', a.att, g.dx1, g.datt);
  const [qa, ka, dqa, dka] = gpt2 ? [a.q, a.k, g.dq, g.dk] : [a.qr, a.kr, g.dqr, g.dkr];
  attentionBackwardGpu(rt, qa, ka, a.v, a.probs, g.datt, { T, H, KVH, D }, { dq: dqa, dk: dka, dv: g.dv, scratch: g.attnScratch });
  if (!gpt2) {
    ropeBackward(rt, a.rope, g.dqr, g.dq, T, H, D, spec.ropeLayout);
    ropeBackward(rt, a.rope, g.dkr, g.dk, T, KVH, D, spec.ropeLayout);
  }
  const dn1 = needDx ? g.dn : null;
  back('q', a.n1, g.dq, dn1);
  back('k', a.n1, g.dk, dn1, true);
  back('v', a.n1, g.dv, dn1, true); // dn1 = Σ over q, k, v
  if (!needDx) return;
  normBack(x, 1, g.dn, g.dx);
  addInPlace(rt, g.dx, g.dx1, T * C); // residual
}
