// Wrapper for shaders/mask_apply.wgsl: W_eff = W ⊙ M and dL/dM (+)= dL/dW_eff ⊙ W (docs/besa.md §1.5).
import type { GpuRuntime } from '../runtime';
import { maskApplyKernel } from './descriptors';
import { checkDistinct, checkDims, checkFloats, grid1d } from './grid';

/** out[n] = a[n] ⊙ b[n], or out += a ⊙ b when `accumulate` (out must differ from a and b). */
export function maskApply(rt: GpuRuntime, a: GPUBuffer, b: GPUBuffer, out: GPUBuffer, n: number, accumulate = false): void {
  const op = 'maskApply';
  checkDims(op, { n });
  checkFloats(op, 'a', a, n);
  checkFloats(op, 'b', b, n);
  checkFloats(op, 'out', out, n);
  checkDistinct(op, { a, out });
  checkDistinct(op, { b, out });
  rt.run(maskApplyKernel, accumulate ? 'apply_acc' : 'apply', { params: { n }, buffers: { a, b, out }, workgroups: grid1d(rt, n) });
}
