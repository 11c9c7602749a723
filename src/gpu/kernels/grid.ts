// Shared helpers for the small kernel wrappers: buffer-size checks that name the tensor, and the
// 1-D launch grid for elementwise kernels (split over x and y because one dimension is limited to
// maxComputeWorkgroupsPerDimension, usually 65535 workgroups).
import { ShapeError } from '../errors';
import type { GpuRuntime, Workgroups } from '../runtime';

/** Throw ShapeError unless `buf` holds at least `floats` 32-bit elements. */
export function checkFloats(op: string, name: string, buf: GPUBuffer, floats: number): void {
  if (!Number.isInteger(floats) || floats < 0) {
    throw new ShapeError(`${op}: ${name} size ${floats} is not a non-negative integer; check the dims.`);
  }
  if (floats * 4 > buf.size) {
    throw new ShapeError(
      `${op}: ${name} ("${buf.label}") holds ${buf.size / 4} floats but ${floats} are needed. ` +
        'Allocate it for the dims passed with it.',
    );
  }
}

/** Throw ShapeError unless every dim is a positive integer. */
export function checkDims(op: string, dims: Record<string, number>): void {
  for (const [k, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v <= 0) throw new ShapeError(`${op}: ${k} must be a positive integer (got ${v}).`);
  }
}

/** Throw ShapeError when two bindings of one dispatch are the same buffer (WebGPU forbids writable aliasing). */
export function checkDistinct(op: string, bufs: Record<string, GPUBuffer>): void {
  const seen = new Map<GPUBuffer, string>();
  for (const [k, b] of Object.entries(bufs)) {
    const prev = seen.get(b);
    if (prev) throw new ShapeError(`${op}: ${prev} and ${k} are the same buffer ("${b.label}"); pass separate buffers.`);
    seen.set(b, k);
  }
}

/** Every output must differ from every other binding (read-only inputs may alias each other). */
export function checkOutputs(op: string, inputs: Record<string, GPUBuffer>, outputs: Record<string, GPUBuffer>): void {
  const all = Object.entries({ ...inputs, ...outputs });
  for (const [k, b] of Object.entries(outputs)) {
    for (const [k2, b2] of all) {
      if (k2 !== k && b2 === b)
        throw new ShapeError(`${op}: output ${k} is the same buffer as ${k2} ("${b.label}"); pass separate buffers.`);
    }
  }
}

export const ELEMWISE_WG = 256;

/**
 * Workgroups covering n elements with ELEMWISE_WG threads each. Shaders recover the flat index as
 * gid.x + gid.y * (num_workgroups.x * ELEMWISE_WG) and bounds-check it against n.
 */
export function grid1d(rt: GpuRuntime, n: number): Workgroups {
  const groups = Math.max(1, Math.ceil(n / ELEMWISE_WG));
  const maxWg = rt.caps.limits.maxComputeWorkgroupsPerDimension;
  const wx = Math.min(groups, maxWg);
  const wy = Math.ceil(groups / wx);
  if (wy > maxWg) throw new ShapeError(`elementwise: ${n} elements exceed the dispatch limit.`);
  return [wx, wy];
}
