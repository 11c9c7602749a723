// Buffer helpers shared by the CPU reference ops. Every op takes plain row-major typed arrays with
// explicit dims. The ops are generic over Float32Array | Float64Array: the output has the element
// type of the first data argument, so the same code is the f32 reference (what the GPU kernels are
// checked against) and the f64 oracle used by the finite-difference tests. Sums are accumulated in
// JS numbers (f64) in both cases.

import { ShapeError } from '../errors';

export type Vec = Float32Array | Float64Array;

/** A zeroed array of length n with the same element type as `like`. */
export function alloc<A extends Vec>(like: A, n: number): A {
  return (like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n)) as A;
}

/** Throw ShapeError when a buffer length does not match the dims passed with it. */
export function checkLen(op: string, what: string, a: ArrayLike<number> | undefined | null, want: number): void {
  if (a && a.length !== want)
    throw new ShapeError(`${op}: ${what} has length ${a.length}, expected ${want}; check the dims passed with it`);
}
