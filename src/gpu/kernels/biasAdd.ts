// Wrapper for shaders/bias_add.wgsl: y[T, Out] += bias[Out] broadcast over tokens.
import type { GpuRuntime } from '../runtime';
import { checkDistinct, checkDims, checkFloats, grid1d, u32Params } from './grid';

export function biasAdd(rt: GpuRuntime, y: GPUBuffer /*[T,Out]*/, bias: GPUBuffer /*[Out]*/, T: number, Out: number): void {
  checkDims('biasAdd', { T, Out });
  checkFloats('biasAdd', 'bias', bias, Out);
  checkFloats('biasAdd', 'y', y, T * Out);
  checkDistinct('biasAdd', { bias, y });
  rt.dispatch({
    pipeline: rt.pipeline('bias_add'),
    params: u32Params(T * Out, Out, 0, 0),
    buffers: [bias, y],
    workgroups: grid1d(rt, T * Out),
  });
}
