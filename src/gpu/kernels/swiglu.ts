// Wrapper for shaders/swiglu.wgsl (CPU reference: src/core/ops/swiglu.ts). Elementwise over n = T·F.
import type { GpuRuntime } from '../runtime';
import { checkDims, checkOutputs, checkFloats, grid1d, u32Params } from './grid';

/** h[n] = silu(gate[n])·up[n]. */
export function swigluForward(rt: GpuRuntime, gate: GPUBuffer, up: GPUBuffer, h: GPUBuffer, n: number): void {
  const op = 'swigluForward';
  checkDims(op, { n });
  checkFloats(op, 'gate', gate, n);
  checkFloats(op, 'up', up, n);
  checkFloats(op, 'h', h, n);
  checkOutputs(op, { gate, up }, { h });
  rt.dispatch({ pipeline: rt.pipeline('swiglu', 'forward'), params: u32Params(n, 0, 0, 0), buffers: [gate, up, h], workgroups: grid1d(rt, n) });
}

/** dgate[n], dup[n] from gate, up and dh (all [n]). */
export function swigluBackward(
  rt: GpuRuntime,
  gate: GPUBuffer,
  up: GPUBuffer,
  dh: GPUBuffer,
  dgate: GPUBuffer,
  dup: GPUBuffer,
  n: number,
): void {
  const op = 'swigluBackward';
  checkDims(op, { n });
  for (const [name, b] of Object.entries({ gate, up, dh, dgate, dup })) checkFloats(op, name, b, n);
  checkOutputs(op, { gate, up, dh }, { dgate, dup });
  rt.dispatch({
    pipeline: rt.pipeline('swiglu', 'backward'),
    params: u32Params(n, 0, 0, 0),
    buffers: [gate, up, dh, dgate, dup],
    workgroups: grid1d(rt, n),
  });
}
