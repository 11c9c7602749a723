// Wrapper for shaders/swiglu.wgsl (CPU reference: src/core/ops/swiglu.ts). Elementwise over n = T·F.
import type { GpuRuntime } from '../runtime';
import { swigluKernel } from './descriptors';
import { checkDims, checkOutputs, checkFloats, grid1d } from './grid';

/** h[n] = silu(gate[n])·up[n]. */
export function swigluForward(rt: GpuRuntime, gate: GPUBuffer, up: GPUBuffer, h: GPUBuffer, n: number): void {
  const op = 'swigluForward';
  checkDims(op, { n });
  checkFloats(op, 'gate', gate, n);
  checkFloats(op, 'up', up, n);
  checkFloats(op, 'h', h, n);
  checkOutputs(op, { gate, up }, { h });
  rt.run(swigluKernel, 'forward', { params: { n }, buffers: { gate, up, h }, workgroups: grid1d(rt, n) });
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
  rt.run(swigluKernel, 'backward', { params: { n }, buffers: { gate, up, dh, dgate, dup }, workgroups: grid1d(rt, n) });
}
