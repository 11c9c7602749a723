// Wrapper for shaders/gelu.wgsl (CPU reference: src/core/ops/gelu.ts). Elementwise over n = T·F.
import type { GpuRuntime } from '../runtime';
import { geluKernel } from './descriptors';
import { checkDims, checkFloats, checkOutputs, grid1d } from './grid';

/** h[n] = gelu(u[n]), tanh form (GPT-2 "gelu_new"). */
export function geluForward(rt: GpuRuntime, u: GPUBuffer, h: GPUBuffer, n: number): void {
  const op = 'geluForward';
  checkDims(op, { n });
  checkFloats(op, 'u', u, n);
  checkFloats(op, 'h', h, n);
  checkOutputs(op, { u }, { h });
  rt.run(geluKernel, 'forward', { params: { n }, buffers: { u, h }, workgroups: grid1d(rt, n) });
}

/** du[n] = dh[n]·gelu'(u[n]). */
export function geluBackward(rt: GpuRuntime, u: GPUBuffer, dh: GPUBuffer, du: GPUBuffer, n: number): void {
  const op = 'geluBackward';
  checkDims(op, { n });
  for (const [name, b] of Object.entries({ u, dh, du })) checkFloats(op, name, b, n);
  checkOutputs(op, { u, dh }, { du });
  rt.run(geluKernel, 'backward', { params: { n }, buffers: { u, dh, du }, workgroups: grid1d(rt, n) });
}
