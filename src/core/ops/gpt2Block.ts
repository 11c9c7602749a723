// A GPT-2 block on the CPU with per-linear masks (docs/gpt2.md §2), the reference for its BESA
// reconstruction objective (docs/besa.md §1.6) and for the GPU kernels. Pre-norm, like LLaMA:
//   n1 = LN(x; ln_1);  q,k,v = lin(n1) + b;  a = attn(q, k, v);  x1 = x + o(a) + b
//   n2 = LN(x1; ln_2); y = x1 + proj(gelu_tanh(fc(n2) + b)) + b
// No RoPE (positions are added to the embedding) and no GQA (H = KVH). The heavy ops come from BlockOps,
// so the WASM engine runs this same definition with its SIMD products.
import { linearOf, type BlockWeights, type LinearName, type ModelSpec } from '../../model/spec';
import { maskGradOf, type BlockOps } from './block';
import { geluBackward, geluForward } from './gelu';
import { layernormBackward, layernormForward } from './layernorm';
import { checkLen, type Vec } from './vec';

export type Gpt2Masks = Partial<Record<LinearName, Vec>> | null;

/** Activations saved by gpt2BlockForwardRef for its backward. */
export interface Gpt2BlockSaved<A extends Vec = Float32Array> {
  arch: 'gpt2';
  T: number;
  x: A; // [T,C] block input
  n1: A; // [T,C] ln_1(x): input of q, k, v
  mean1: A; // [T]
  rstd1: A; // [T]
  q: A; // [T,C]
  k: A; // [T,C]
  v: A; // [T,C]
  probs: A; // [H,T,T]
  att: A; // [T,C] attention output (input of o)
  x1: A; // [T,C] residual after attention
  n2: A; // [T,C] ln_2(x1): input of fc
  mean2: A; // [T]
  rstd2: A; // [T]
  fc: A; // [T,F] before GELU
  h: A; // [T,F] gelu(fc): input of proj
}

/** LayerNorm's bias, or zeros for nanoGPT's bias=False models. */
function normBias(b: Float32Array | undefined, C: number): Vec {
  return b ?? new Float32Array(C);
}

export function gpt2BlockForwardRef<A extends Vec>(
  spec: ModelSpec,
  w: BlockWeights,
  masks: Gpt2Masks,
  x: A /*[T,C]*/,
  T: number,
  ops: BlockOps,
): { y: A /*[T,C]*/; saved: Gpt2BlockSaved<A> } {
  const C = spec.dim;
  const { H, D, F } = { H: spec.nHeads, D: spec.headDim, F: spec.ffnDim };
  checkLen('gpt2BlockForwardRef', 'x', x, T * C);
  const m = (n: LinearName) => masks?.[n] ?? undefined;
  const lin = (n: LinearName, inp: A, In: number, Out: number) => {
    const l = linearOf(w, n);
    return ops.linearForward(inp, l.w, T, In, Out, l.b, m(n));
  };
  const ln1 = layernormForward(x, w.attnNorm, normBias(w.attnNormBias, C), T, C, spec.normEps);
  const n1 = ln1.y;
  const q = lin('q', n1, C, H * D);
  const k = lin('k', n1, C, H * D);
  const v = lin('v', n1, C, H * D);
  const { out: att, probs } = ops.attentionForward(q, k, v, T, H, H, D);
  const x1 = lin('o', att, H * D, C);
  for (let i = 0; i < x1.length; i++) x1[i] += x[i];
  const ln2 = layernormForward(x1, w.mlpNorm, normBias(w.mlpNormBias, C), T, C, spec.normEps);
  const n2 = ln2.y;
  const fc = lin('fc', n2, C, F);
  const h = geluForward(fc);
  const y = lin('proj', h, F, C);
  for (let i = 0; i < y.length; i++) y[i] += x1[i];
  const saved = { arch: 'gpt2' as const, T, x, n1, mean1: ln1.mean, rstd1: ln1.rstd, q, k, v, probs, att, x1, n2 };
  return { y, saved: { ...saved, mean2: ln2.mean, rstd2: ln2.rstd, fc, h } };
}

/** Backward with frozen weights: dx and dL/dM = (dyᵀ x_in) ⊙ W for all 6 linears (docs/besa.md §1.5). */
export function gpt2BlockBackwardRef<A extends Vec>(
  spec: ModelSpec,
  w: BlockWeights,
  masks: Gpt2Masks,
  s: Gpt2BlockSaved<A>,
  dy: Vec /*[T,C]*/,
  ops: BlockOps,
  wantDx = true,
): { dx: A /*[T,C]*/; dMask: Record<LinearName, A> } {
  const C = spec.dim;
  const { H, D, F } = { H: spec.nHeads, D: spec.headDim, F: spec.ffnDim };
  const T = s.T;
  checkLen('gpt2BlockBackwardRef', 'dy', dy, T * C);
  const m = (n: LinearName) => masks?.[n] ?? undefined;
  const dMask = {} as Record<LinearName, A>;
  const back = (n: LinearName, inp: A, g: Vec, In: number, Out: number): A => {
    const r = ops.linearBackward(inp, linearOf(w, n).w, g, T, In, Out, m(n));
    dMask[n] = r.dMask;
    return r.dx;
  };

  // MLP half: y = x1 + proj(gelu(fc(n2)))
  const dh = back('proj', s.h, dy, F, C);
  const dfc = geluBackward(s.fc, dh);
  const dn2 = back('fc', s.n2, dfc, C, F);
  const dx1 = layernormBackward(s.x1, w.mlpNorm, s.mean2, s.rstd2, dn2, T, C);
  for (let i = 0; i < dx1.length; i++) dx1[i] += dy[i]; // residual

  // Attention half: x1 = x + o(attn(q(n1), k(n1), v(n1)))
  const datt = back('o', s.att, dx1, H * D, C);
  const { dq, dk, dv } = ops.attentionBackward(s.q, s.k, s.v, s.probs, datt, T, H, H, D);
  if (!wantDx) {
    // as blockBackwardRef: no input gradients of q, k, v, no first norm's backward (dx left empty)
    for (const [n, g] of [
      ['q', dq],
      ['k', dk],
      ['v', dv],
    ] as const)
      dMask[n] = maskGradOf(ops, s.n1, linearOf(w, n).w, g, T, C, H * D, m(n));
    return { dx: s.x.subarray(0, 0) as A, dMask };
  }
  const dn1 = back('q', s.n1, dq, C, H * D);
  const dnk = back('k', s.n1, dk, C, H * D);
  const dnv = back('v', s.n1, dv, C, H * D);
  for (let i = 0; i < dn1.length; i++) dn1[i] += dnk[i] + dnv[i];
  const dx = layernormBackward(s.x, w.attnNorm, s.mean1, s.rstd1, dn1, T, C);
  for (let i = 0; i < dx.length; i++) dx[i] += dx1[i]; // residual
  return { dx, dMask };
}
