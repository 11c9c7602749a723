// Wrapper for shaders/rmsnorm.wgsl (CPU reference: src/core/ops/rmsnorm.ts). One thread per row.
import { ShapeError } from '../errors';
import type { GpuRuntime, Workgroups } from '../runtime';
import { rmsnormKernel } from './descriptors';
import { checkDistinct, checkDims, checkFloats } from './grid';

/** WG rows per workgroup, split over x and y when the workgroups exceed the per-dimension limit. */
function rowGrid(rt: GpuRuntime, T: number): Workgroups {
  const maxWg = rt.caps.limits.maxComputeWorkgroupsPerDimension;
  const groups = Math.ceil(T / rmsnormKernel.workgroupSize.WG);
  const wx = Math.min(groups, maxWg);
  const wy = Math.ceil(groups / wx);
  if (wy > maxWg) throw new ShapeError(`rmsnorm: T=${T} rows exceed the dispatch limit.`);
  return [wx, wy];
}

/** y[T,C] = x·rstd·w, rstd[T] = 1/sqrt(mean(x²)+eps). */
export function rmsnormForward(
  rt: GpuRuntime,
  x: GPUBuffer /*[T,C]*/,
  w: GPUBuffer /*[C]*/,
  y: GPUBuffer /*[T,C]*/,
  rstd: GPUBuffer /*[T]*/,
  T: number,
  C: number,
  eps: number,
): void {
  const op = 'rmsnormForward';
  checkDims(op, { T, C });
  checkFloats(op, 'x', x, T * C);
  checkFloats(op, 'w', w, C);
  checkFloats(op, 'y', y, T * C);
  checkFloats(op, 'rstd', rstd, T);
  checkDistinct(op, { x, y, rstd });
  checkDistinct(op, { w, y, rstd });
  rt.run(rmsnormKernel, 'forward', { params: { T, C, eps }, buffers: { x, w, y, rstd_out: rstd }, workgroups: rowGrid(rt, T) });
}

/** dx[T,C] from x, w, the forward's rstd[T] and dy[T,C] (weight frozen: no dw). */
export function rmsnormBackward(
  rt: GpuRuntime,
  x: GPUBuffer /*[T,C]*/,
  w: GPUBuffer /*[C]*/,
  rstd: GPUBuffer /*[T]*/,
  dy: GPUBuffer /*[T,C]*/,
  dx: GPUBuffer /*[T,C]*/,
  T: number,
  C: number,
): void {
  const op = 'rmsnormBackward';
  checkDims(op, { T, C });
  checkFloats(op, 'x', x, T * C);
  checkFloats(op, 'w', w, C);
  checkFloats(op, 'rstd', rstd, T);
  checkFloats(op, 'dy', dy, T * C);
  checkFloats(op, 'dx', dx, T * C);
  checkDistinct(op, { x, dx });
  checkDistinct(op, { w, dx });
  checkDistinct(op, { rstd, dx });
  checkDistinct(op, { dy, dx });
  // eps is unused by the backward (rstd comes from the forward); 0 keeps the Params bytes as before.
  rt.run(rmsnormKernel, 'backward', { params: { T, C, eps: 0 }, buffers: { x, w, rstd_in: rstd, dy, dx }, workgroups: rowGrid(rt, T) });
}
