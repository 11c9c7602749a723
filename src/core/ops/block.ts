// A full LLaMA decoder block on the CPU with per-linear masks: the reference for BESA's block
// reconstruction objective (docs/besa.md §1.6) and for the GPU block kernels.
//   n1 = rmsnorm(x, attnNorm);  q,k,v = lin(n1);  a = attn(rope(q), rope(k), v);  x1 = x + o(a)
//   n2 = rmsnorm(x1, mlpNorm);  y = x1 + down(swiglu(gate(n2), up(n2)))
// Masks multiply the frozen weights (W ⊙ M, docs/besa.md §1.5); a missing mask means dense.
import { LINEAR_NAMES, linearOf, type BlockWeights, type LinearName, type ModelSpec } from '../../model/spec';
import { attentionBackward, attentionForward } from './attention';
import { linearBackward, linearForward } from './linear';
import { rmsnormBackward, rmsnormForward } from './rmsnorm';
import { ropeBackward, ropeForward } from './rope';
import { swigluBackward, swigluForward } from './swiglu';
import { checkLen, type Vec } from './vec';

export type BlockMasks = Partial<Record<LinearName, Vec>> | null;

/**
 * The heavy ops of a block: the linears and attention. The reference ops (f64 accumulation) are the
 * default; the WASM engine passes its SIMD products (src/wasm/ops.ts), so both run this one block
 * definition and differ only in how the products are computed. SwiGLU is optional (default: the
 * reference): its exps were a tenth of a one-thread WASM step in JS.
 */
export interface BlockOps {
  linearForward: typeof linearForward;
  linearBackward: typeof linearBackward;
  attentionForward: typeof attentionForward;
  attentionBackward: typeof attentionBackward;
  swigluForward?: typeof swigluForward;
  swigluBackward?: typeof swigluBackward;
  /** linearBackward's dMask alone (the backward without dx skips the input gradient of q, k, v); default: linearBackward's. */
  linearMaskGrad?: (x: Vec, w: Vec, dy: Vec, T: number, In: number, Out: number) => Vec;
}

/** dL/dM of a linear through `ops`: linearMaskGrad where the ops have it, else linearBackward's dMask (the same values). */
export function maskGradOf<A extends Vec>(ops: BlockOps, x: A, w: Vec, dy: Vec, T: number, In: number, Out: number, mask?: Vec): A {
  return (ops.linearMaskGrad ? ops.linearMaskGrad(x, w, dy, T, In, Out) : ops.linearBackward(x, w, dy, T, In, Out, mask).dMask) as A;
}

export const REFERENCE_OPS: BlockOps = { linearForward, linearBackward, attentionForward, attentionBackward };

/** Activations saved by blockForwardRef for blockBackwardRef (and for comparing GPU intermediates). */
export interface BlockSaved<A extends Vec = Float32Array> {
  T: number;
  x: A; // [T,C] block input
  n1: A; // [T,C] rmsnorm(x)
  rstd1: A; // [T]
  q: A; // [T,H*D] before rope
  k: A; // [T,KVH*D] before rope
  v: A; // [T,KVH*D]
  qr: A; // [T,H*D] after rope
  kr: A; // [T,KVH*D] after rope
  probs: A; // [H,T,T]
  att: A; // [T,H*D] attention output (input of o)
  x1: A; // [T,C] residual after attention
  n2: A; // [T,C] rmsnorm(x1)
  rstd2: A; // [T]
  gate: A; // [T,F]
  up: A; // [T,F]
  h: A; // [T,F] swiglu(gate, up) (input of down)
}

function dims(spec: ModelSpec) {
  return {
    C: spec.dim,
    H: spec.nHeads,
    KVH: spec.nKvHeads,
    D: spec.headDim,
    F: spec.ffnDim,
    QD: spec.nHeads * spec.headDim,
    KVD: spec.nKvHeads * spec.headDim,
  };
}

export function blockForwardRef<A extends Vec>(
  spec: ModelSpec,
  w: BlockWeights,
  masks: BlockMasks,
  x: A /*[T,C]*/,
  T: number,
  ops: BlockOps = REFERENCE_OPS,
): { y: A /*[T,C]*/; saved: BlockSaved<A> } {
  const { C, H, KVH, D, F, QD, KVD } = dims(spec);
  const { linearForward, attentionForward } = ops;
  checkLen('blockForwardRef', 'x', x, T * C);
  const m = (n: LinearName) => masks?.[n] ?? undefined;
  const { y: n1, rstd: rstd1 } = rmsnormForward(x, w.attnNorm, T, C, spec.normEps);
  const q = linearForward(n1, w.q.w, T, C, QD, w.q.b, m('q'));
  const k = linearForward(n1, w.k.w, T, C, KVD, w.k.b, m('k'));
  const v = linearForward(n1, w.v.w, T, C, KVD, w.v.b, m('v'));
  const qr = ropeForward(q, T, H, D, spec.ropeTheta, spec.ropeLayout);
  const kr = ropeForward(k, T, KVH, D, spec.ropeTheta, spec.ropeLayout);
  const { out: att, probs } = attentionForward(qr, kr, v, T, H, KVH, D);
  const ao = linearForward(att, w.o.w, T, QD, C, w.o.b, m('o'));
  const x1 = ao; // reuse: x1 = x + o(att)
  for (let i = 0; i < x1.length; i++) x1[i] += x[i];
  const { y: n2, rstd: rstd2 } = rmsnormForward(x1, w.mlpNorm, T, C, spec.normEps);
  const [wg, wu, wd] = [linearOf(w, 'gate'), linearOf(w, 'up'), linearOf(w, 'down')];
  const gate = linearForward(n2, wg.w, T, C, F, wg.b, m('gate'));
  const up = linearForward(n2, wu.w, T, C, F, wu.b, m('up'));
  const h = (ops.swigluForward ?? swigluForward)(gate, up);
  const y = linearForward(h, wd.w, T, F, C, wd.b, m('down'));
  for (let i = 0; i < y.length; i++) y[i] += x1[i];
  return { y, saved: { T, x, n1, rstd1, q, k, v, qr, kr, probs, att, x1, n2, rstd2, gate, up, h } };
}

/**
 * Backward of blockForwardRef with frozen weights: dx and dL/dM for all 7 linears
 * (dMask = (dyᵀ x_in) ⊙ W, docs/besa.md §1.5; computed even where the mask was absent, i.e. at M = 1).
 * wantDx = false (BESA trains one block against a fixed target): dx is left empty (length 0), so the
 * input gradients of q, k, v, the first RMSNorm's backward and its residual are skipped; dMask is unchanged.
 */
export function blockBackwardRef<A extends Vec>(
  spec: ModelSpec,
  w: BlockWeights,
  masks: BlockMasks,
  saved: BlockSaved<A>,
  dy: Vec /*[T,C]*/,
  ops: BlockOps = REFERENCE_OPS,
  wantDx = true,
): { dx: A /*[T,C]*/; dMask: Record<LinearName, A> } {
  const { C, H, KVH, D, F, QD, KVD } = dims(spec);
  const { linearBackward, attentionBackward } = ops;
  const s = saved;
  const T = s.T;
  checkLen('blockBackwardRef', 'dy', dy, T * C);
  const m = (n: LinearName) => masks?.[n] ?? undefined;
  const dMask = {} as Record<LinearName, A>;

  // MLP half: y = x1 + down(swiglu(gate(n2), up(n2)))
  const bDown = linearBackward(s.h, linearOf(w, 'down').w, dy, T, F, C, m('down'));
  dMask.down = bDown.dMask;
  const { dgate, dup } = (ops.swigluBackward ?? swigluBackward)(s.gate, s.up, bDown.dx);
  const bGate = linearBackward(s.n2, linearOf(w, 'gate').w, dgate, T, C, F, m('gate'));
  const bUp = linearBackward(s.n2, linearOf(w, 'up').w, dup, T, C, F, m('up'));
  dMask.gate = bGate.dMask;
  dMask.up = bUp.dMask;
  const dn2 = bGate.dx;
  for (let i = 0; i < dn2.length; i++) dn2[i] += bUp.dx[i];
  const dx1 = rmsnormBackward(s.x1, w.mlpNorm, s.rstd2, dn2, T, C);
  for (let i = 0; i < dx1.length; i++) dx1[i] += dy[i]; // residual

  // Attention half: x1 = x + o(attn(rope(q(n1)), rope(k(n1)), v(n1)))
  const bO = linearBackward(s.att, w.o.w, dx1, T, QD, C, m('o'));
  dMask.o = bO.dMask;
  const { dq: dqr, dk: dkr, dv } = attentionBackward(s.qr, s.kr, s.v, s.probs, bO.dx, T, H, KVH, D);
  const dq = ropeBackward(dqr, T, H, D, spec.ropeTheta, spec.ropeLayout);
  const dk = ropeBackward(dkr, T, KVH, D, spec.ropeTheta, spec.ropeLayout);
  if (!wantDx) {
    dMask.q = maskGradOf(ops, s.n1, w.q.w, dq, T, C, QD, m('q'));
    dMask.k = maskGradOf(ops, s.n1, w.k.w, dk, T, C, KVD, m('k'));
    dMask.v = maskGradOf(ops, s.n1, w.v.w, dv, T, C, KVD, m('v'));
    return { dx: s.x.subarray(0, 0) as A, dMask };
  }
  const bQ = linearBackward(s.n1, w.q.w, dq, T, C, QD, m('q'));
  const bK = linearBackward(s.n1, w.k.w, dk, T, C, KVD, m('k'));
  const bV = linearBackward(s.n1, w.v.w, dv, T, C, KVD, m('v'));
  dMask.q = bQ.dMask;
  dMask.k = bK.dMask;
  dMask.v = bV.dMask;
  const dn1 = bQ.dx;
  for (let i = 0; i < dn1.length; i++) dn1[i] += bK.dx[i] + bV.dx[i];
  const dx = rmsnormBackward(s.x, w.attnNorm, s.rstd1, dn1, T, C);
  for (let i = 0; i < dx.length; i++) dx[i] += dx1[i]; // residual
  for (const n of LINEAR_NAMES) if (!dMask[n]) throw new Error(`blockBackwardRef: missing dMask.${n}`);
  return { dx, dMask };
}
