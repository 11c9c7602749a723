// Wrapper for shaders/layernorm.wgsl (CPU reference: src/core/ops/layernorm.ts). One thread per row,
// as rmsnorm.ts; GPT-2's norm, whose weight and bias stay frozen (docs/besa.md §1.1).
import { ShapeError } from '../errors';
import type { GpuRuntime, Workgroups } from '../runtime';
import { layernormKernel } from './descriptors';
import { checkDims, checkFloats, checkOutputs } from './grid';

/** WG rows per workgroup, split over x and y when the workgroups exceed the per-dimension limit. */
function rowGrid(rt: GpuRuntime, T: number): Workgroups {
  const maxWg = rt.caps.limits.maxComputeWorkgroupsPerDimension;
  const groups = Math.ceil(T / layernormKernel.workgroupSize.WG);
  const wx = Math.min(groups, maxWg);
  const wy = Math.ceil(groups / wx);
  if (wy > maxWg) throw new ShapeError(`layernorm: T=${T} rows exceed the dispatch limit.`);
  return [wx, wy];
}

/** y[T,C] = (x − mean)·rstd·w + b, with mean[T] and rstd[T] = 1/sqrt(var + eps) saved for the backward. */
export function layernormForward(
  rt: GpuRuntime,
  x: GPUBuffer /*[T,C]*/,
  w: GPUBuffer /*[C]*/,
  b: GPUBuffer /*[C]*/,
  y: GPUBuffer /*[T,C]*/,
  mean: GPUBuffer /*[T]*/,
  rstd: GPUBuffer /*[T]*/,
  T: number,
  C: number,
  eps: number,
): void {
  const op = 'layernormForward';
  checkDims(op, { T, C });
  checkFloats(op, 'x', x, T * C);
  checkFloats(op, 'w', w, C);
  checkFloats(op, 'b', b, C);
  checkFloats(op, 'y', y, T * C);
  checkFloats(op, 'mean', mean, T);
  checkFloats(op, 'rstd', rstd, T);
  checkOutputs(op, { x, w, b }, { y, mean, rstd }); // read-only inputs may alias (w = b is legal)
  rt.run(layernormKernel, 'forward', {
    params: { T, C, eps },
    buffers: { x, w, b, y, mean_out: mean, rstd_out: rstd },
    workgroups: rowGrid(rt, T),
  });
}

/** dx[T,C] from x, w, the forward's mean[T] and rstd[T], and dy[T,C] (weights frozen: no dw, db). */
export function layernormBackward(
  rt: GpuRuntime,
  x: GPUBuffer /*[T,C]*/,
  w: GPUBuffer /*[C]*/,
  mean: GPUBuffer /*[T]*/,
  rstd: GPUBuffer /*[T]*/,
  dy: GPUBuffer /*[T,C]*/,
  dx: GPUBuffer /*[T,C]*/,
  T: number,
  C: number,
): void {
  const op = 'layernormBackward';
  checkDims(op, { T, C });
  checkFloats(op, 'x', x, T * C);
  checkFloats(op, 'w', w, C);
  checkFloats(op, 'mean', mean, T);
  checkFloats(op, 'rstd', rstd, T);
  checkFloats(op, 'dy', dy, T * C);
  checkFloats(op, 'dx', dx, T * C);
  checkOutputs(op, { x, w, mean, rstd, dy }, { dx });
  // eps is unused by the backward (rstd comes from the forward); 0 fills its Params slot.
  rt.run(layernormKernel, 'backward', {
    params: { T, C, eps: 0 },
    buffers: { x, w, mean_in: mean, rstd_in: rstd, dy, dx },
    workgroups: rowGrid(rt, T),
  });
}
