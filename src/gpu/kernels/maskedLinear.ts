// Masked linear layer on the GPU, the unit BESA prunes (docs/besa.md §1.5; CPU reference src/core/ops/linear.ts).
// W is [out, in] (PyTorch layout), frozen; only the mask M gets a gradient.
//   forward:  W_eff = W ⊙ M (mask_apply, into a scratch),  y = x·W_effᵀ (matmul 'nt'),  y += b (bias_add)
//   backward: dX = dY·W_eff (matmul 'nn');  dL/dW_eff = dYᵀ·X (matmul 'tn');  dL/dM (+)= dL/dW_eff ⊙ W
// dL/dM does not depend on M, so it is also the straight-through gradient at M = M_hard.
import { matmulDesc } from '../../core/matmul';
import type { GpuRuntime } from '../runtime';
import { biasAdd } from './biasAdd';
import { checkDims, checkFloats, checkOutputs } from './grid';
import { maskApply } from './maskApply';
import { matmul } from './matmul';

export interface LinearShape {
  T: number;
  In: number;
  Out: number;
}

export interface MaskedLinearForwardArgs {
  x: GPUBuffer; // [T,In]
  w: GPUBuffer; // [Out,In]
  /** [Out,In] mask; null = dense (W is used directly and `weff` is not touched). */
  mask: GPUBuffer | null;
  bias: GPUBuffer | null; // [Out]
  /** [Out,In] scratch that receives W ⊙ M (keep it for the backward, or recompute it there). */
  weff: GPUBuffer | null;
  y: GPUBuffer; // [T,Out] out
}

/** y = x·(W⊙M)ᵀ + b: 1 to 3 dispatches. Returns the buffer holding W_eff (weff, or w when dense). */
export function maskedLinearForward(rt: GpuRuntime, a: MaskedLinearForwardArgs, s: LinearShape): GPUBuffer {
  const op = 'maskedLinearForward';
  const { T, In, Out } = s;
  checkDims(op, { T, In, Out });
  checkFloats(op, 'x', a.x, T * In);
  checkFloats(op, 'w', a.w, Out * In);
  checkFloats(op, 'y', a.y, T * Out);
  if (a.bias) checkFloats(op, 'bias', a.bias, Out);
  let weff = a.w;
  if (a.mask) {
    if (!a.weff) throw new TypeError(`${op}: a mask needs a weff scratch buffer [Out=${Out}, In=${In}].`);
    checkFloats(op, 'mask', a.mask, Out * In);
    checkFloats(op, 'weff', a.weff, Out * In);
    checkOutputs(op, { x: a.x, w: a.w, mask: a.mask, ...(a.bias ? { bias: a.bias } : {}) }, { weff: a.weff, y: a.y });
    maskApply(rt, a.w, a.mask, a.weff, Out * In);
    weff = a.weff;
  } else {
    checkOutputs(op, { x: a.x, w: a.w, ...(a.bias ? { bias: a.bias } : {}) }, { y: a.y });
  }
  matmul(rt, a.x, weff, a.y, matmulDesc(T, Out, In, 'nt')); // [T,In]·[Out,In]ᵀ
  if (a.bias) biasAdd(rt, a.y, a.bias, T, Out);
  return weff;
}

export interface MaskedLinearBackwardArgs {
  x: GPUBuffer; // [T,In] forward input
  w: GPUBuffer; // [Out,In] frozen weight
  /** [Out,In] W ⊙ M as used in the forward (pass w itself for a dense layer). */
  weff: GPUBuffer;
  dy: GPUBuffer; // [T,Out]
  /** [T,In] out, or null to skip (e.g. the first layer of a chain). */
  dx: GPUBuffer | null;
  /** [Out,In] out: dL/dM, or null to skip. */
  dMask: GPUBuffer | null;
  /** [Out,In] scratch for dL/dW_eff = dYᵀX; required with dMask. Must differ from weff. */
  gradScratch: GPUBuffer | null;
}

export interface MaskedLinearBackwardOptions {
  /** dx += dY·W_eff instead of overwriting (sums the q, k, v contributions to dn1). */
  accumulateDx?: boolean;
  /** dMask += (dYᵀX) ⊙ W (sums the gradient over the sequences of a mini-batch). */
  accumulateDMask?: boolean;
}

/** dX and/or dL/dM: up to 3 dispatches. */
export function maskedLinearBackward(
  rt: GpuRuntime,
  a: MaskedLinearBackwardArgs,
  s: LinearShape,
  o: MaskedLinearBackwardOptions = {},
): void {
  const op = 'maskedLinearBackward';
  const { T, In, Out } = s;
  checkDims(op, { T, In, Out });
  checkFloats(op, 'x', a.x, T * In);
  checkFloats(op, 'w', a.w, Out * In);
  checkFloats(op, 'weff', a.weff, Out * In);
  checkFloats(op, 'dy', a.dy, T * Out);
  const inputs = { x: a.x, w: a.w, weff: a.weff, dy: a.dy };
  if (a.dx) {
    checkFloats(op, 'dx', a.dx, T * In);
    checkOutputs(op, inputs, { dx: a.dx });
    // dX[T,In] = dY[T,Out]·W_eff[Out,In]
    matmul(rt, a.dy, a.weff, a.dx, { ...matmulDesc(T, In, Out, 'nn'), beta: o.accumulateDx ? 1 : 0 });
  }
  if (a.dMask) {
    if (!a.gradScratch) throw new TypeError(`${op}: dMask needs a gradScratch buffer [Out=${Out}, In=${In}].`);
    checkFloats(op, 'dMask', a.dMask, Out * In);
    checkFloats(op, 'gradScratch', a.gradScratch, Out * In);
    checkOutputs(op, { ...inputs, ...(a.dx ? { dx: a.dx } : {}) }, { dMask: a.dMask, gradScratch: a.gradScratch });
    // dL/dW_eff[Out,In] = dYᵀ·X: A = dY read as [K=T, M=Out], B = X [K=T, N=In]
    matmul(rt, a.dy, a.x, a.gradScratch, matmulDesc(Out, In, T, 'tn'));
    maskApply(rt, a.gradScratch, a.w, a.dMask, Out * In, o.accumulateDMask ?? false);
  }
}
