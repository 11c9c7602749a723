// Wrapper for shaders/sum.wgsl: out[outOffset] (+)= scale · Σ_{i<n} x[i], entirely on the GPU.
// Small inputs take one workgroup; larger ones first reduce to G ≤ 256 partials (one per workgroup)
// in a per-runtime scratch buffer, then a second 1-workgroup pass (2 dispatches in all).
import type { GpuRuntime } from '../runtime';
import { sumKernel } from './descriptors';
import { checkDims, checkFloats, checkOutputs } from './grid';

const MAX_PARTIALS = 256;
/** Elements per workgroup in the first pass before splitting pays for the extra dispatch. */
const PER_GROUP = 4096;
const scratch = new WeakMap<GpuRuntime, GPUBuffer>();

function params(n: number, outOffset: number, accumulate: boolean, scale: number) {
  return { n, outOffset, accumulate: accumulate ? 1 : 0, scale };
}

export interface SumOptions {
  /** Multiplies the sum (e.g. 1/C for a mean). Default 1. */
  scale?: number;
  /** Element of `out` that receives the result. Default 0. */
  outOffset?: number;
  /** Add to out[outOffset] instead of overwriting it. Default false. */
  accumulate?: boolean;
}

export function sum(rt: GpuRuntime, x: GPUBuffer /*[n]*/, n: number, out: GPUBuffer /*[outOffset+1]*/, opts: SumOptions = {}): void {
  const op = 'sum';
  const { scale = 1, outOffset = 0, accumulate = false } = opts;
  checkDims(op, { n });
  checkFloats(op, 'x', x, n);
  checkFloats(op, 'out', out, outOffset + 1);
  checkOutputs(op, { x }, { out });
  const groups = Math.min(MAX_PARTIALS, Math.ceil(n / PER_GROUP));
  if (groups <= 1) {
    rt.run(sumKernel, 'main', { params: params(n, outOffset, accumulate, scale), buffers: { x, out }, workgroups: [1] });
    return;
  }
  let partials = scratch.get(rt);
  if (!partials) {
    partials = rt.createBuffer(MAX_PARTIALS * 4, 'sum-partials');
    scratch.set(rt, partials);
  }
  rt.run(sumKernel, 'main', { params: params(n, 0, false, 1), buffers: { x, out: partials }, workgroups: [groups] });
  rt.run(sumKernel, 'main', { params: params(groups, outOffset, accumulate, scale), buffers: { x: partials, out }, workgroups: [1] });
}
