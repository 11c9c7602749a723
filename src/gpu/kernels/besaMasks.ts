// Wrappers for BESA's GPU mask kernels (docs/besa.md §1.5): the hard mask scatter and the prefix sums that
// give the θ gradient. Index buffers are u32; sortIdx is [rows, cols], ascending importance per row.
import { ShapeError } from '../errors';
import type { GpuRuntime } from '../runtime';
import { besaHardMaskKernel, besaPrefixGradKernel } from './descriptors';

function need(name: string, buf: GPUBuffer, floats: number): void {
  if (buf.size < floats * 4) {
    throw new ShapeError(`${name} ("${buf.label}") holds ${buf.size / 4} elements, needs ${floats}.`);
  }
}

/** 2-D dispatch for `count` items of `perGroup` threads each, within maxComputeWorkgroupsPerDimension. */
function grid(rt: GpuRuntime, groups: number): { x: number; y: number } {
  const max = rt.caps.limits.maxComputeWorkgroupsPerDimension;
  const x = Math.min(groups, max);
  return { x, y: Math.ceil(groups / x) };
}

/** M [rows, cols] ← hard mask with n [G] prune counts; groupSize = rows / G. */
export function besaHardMask(
  rt: GpuRuntime,
  sortIdx: GPUBuffer,
  n: GPUBuffer,
  M: GPUBuffer,
  rows: number,
  cols: number,
  groupSize: number,
): void {
  if (rows % groupSize !== 0) throw new ShapeError(`besaHardMask: groupSize ${groupSize} does not divide rows ${rows}.`);
  need('sortIdx', sortIdx, rows * cols);
  need('n', n, rows / groupSize);
  need('M', M, rows * cols);
  const wg = besaHardMaskKernel.workgroupSize.WG;
  const g = grid(rt, Math.ceil((rows * cols) / wg));
  rt.run(besaHardMaskKernel, 'main', {
    params: { rows, cols, groupSize, strideX: g.x * wg },
    buffers: { sortIdx, n, M },
    workgroups: [g.x, g.y],
  });
}

/** outPre [rows, D] ← Pre_r(k_d) of dL/dM gathered in sort order: segment sums, then suffix sums (2 dispatches). k_d non-increasing. */
export function besaPrefixAtK(
  rt: GpuRuntime,
  G: GPUBuffer,
  sortIdx: GPUBuffer,
  kd: GPUBuffer,
  outPre: GPUBuffer,
  rows: number,
  cols: number,
  D: number,
): void {
  need('G', G, rows * cols);
  need('sortIdx', sortIdx, rows * cols);
  need('kd', kd, D);
  need('outPre', outPre, rows * D);
  const wg = besaPrefixGradKernel.workgroupSize.WG;
  const seg = grid(rt, Math.ceil((rows * D) / wg));
  rt.run(besaPrefixGradKernel, 'segments', {
    params: { rows, cols, D, strideX: seg.x * wg },
    buffers: { G, sortIdx, kd, outPre },
    workgroups: [seg.x, seg.y],
  });
  const suf = grid(rt, Math.ceil(rows / wg));
  rt.run(besaPrefixGradKernel, 'suffix', {
    params: { rows, cols, D, strideX: suf.x * wg },
    buffers: { outPre },
    workgroups: [suf.x, suf.y],
  });
}
