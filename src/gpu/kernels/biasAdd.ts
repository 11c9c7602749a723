// Wrapper for shaders/bias_add.wgsl: y[T, Out] += bias[Out] broadcast over tokens.
import type { GpuRuntime } from '../runtime';
import { biasAddKernel } from './descriptors';
import { checkDistinct, checkDims, checkFloats, grid1d } from './grid';

export function biasAdd(rt: GpuRuntime, y: GPUBuffer /*[T,Out]*/, bias: GPUBuffer /*[Out]*/, T: number, Out: number): void {
  checkDims('biasAdd', { T, Out });
  checkFloats('biasAdd', 'bias', bias, Out);
  checkFloats('biasAdd', 'y', y, T * Out);
  checkDistinct('biasAdd', { bias, y });
  rt.run(biasAddKernel, 'main', { params: { n: T * Out, out: Out }, buffers: { bias, y }, workgroups: grid1d(rt, T * Out) });
}
