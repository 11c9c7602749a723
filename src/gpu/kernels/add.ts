// Wrapper for shaders/add.wgsl: residual adds of the LLaMA block (src/core/ops/block.ts).
import type { GpuRuntime } from '../runtime';
import { addKernel } from './descriptors';
import { checkDistinct, checkDims, checkFloats, grid1d } from './grid';

/** y[n] = a[n] + b[n] (y must differ from a and b; a may equal b). */
export function add(rt: GpuRuntime, a: GPUBuffer, b: GPUBuffer, y: GPUBuffer, n: number): void {
  checkDims('add', { n });
  checkFloats('add', 'a', a, n);
  checkFloats('add', 'b', b, n);
  checkFloats('add', 'y', y, n);
  checkDistinct('add', { a, y });
  checkDistinct('add', { b, y });
  rt.run(addKernel, 'add', { params: { n }, buffers: { a, b, y }, workgroups: grid1d(rt, n) });
}

/** y[n] += a[n] (accumulate in place). */
export function addInPlace(rt: GpuRuntime, y: GPUBuffer, a: GPUBuffer, n: number): void {
  checkDims('addInPlace', { n });
  checkFloats('addInPlace', 'a', a, n);
  checkFloats('addInPlace', 'y', y, n);
  checkDistinct('addInPlace', { a, y });
  rt.run(addKernel, 'add_inplace', { params: { n }, buffers: { a, acc: y }, workgroups: grid1d(rt, n) });
}
