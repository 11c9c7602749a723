// Wrapper for shaders/position_add.wgsl (CPU reference: src/core/ops/positionAdd.ts): GPT-2's learned
// positions, x[T, C] += pos[t0 .. t0+T, C] in place. A kernel of its own rather than a term of
// embedding.wgsl, because the gather runs once per vocabulary chunk and writes only its chunk's rows.
// The table is frozen, so there is no backward: the gradient passes to x unchanged.
import { ShapeError } from '../errors';
import type { GpuRuntime } from '../runtime';
import { positionAddKernel } from './descriptors';
import { checkDims, checkDistinct, checkFloats, grid1d } from './grid';

/** x[T,C] += pos[t0 + t, C] for t < T; pos is the [P, C] table and t0 + T must not exceed P. */
export function positionAdd(
  rt: GpuRuntime,
  x: GPUBuffer /*[T,C]*/,
  pos: GPUBuffer /*[P,C]*/,
  T: number,
  C: number,
  P: number,
  t0 = 0,
): void {
  const op = 'positionAdd';
  checkDims(op, { T, C, P });
  if (!Number.isInteger(t0) || t0 < 0) throw new ShapeError(`${op}: t0 must be a non-negative integer (got ${t0}).`);
  if (t0 + T > P)
    throw new ShapeError(`${op}: positions ${t0}..${t0 + T - 1} exceed the table's P=${P} rows; shorten the sequence to ${P - t0} tokens.`);
  checkFloats(op, 'x', x, T * C);
  checkFloats(op, 'pos', pos, P * C);
  checkDistinct(op, { pos, x });
  rt.run(positionAddKernel, 'main', { params: { T, C, t0 }, buffers: { pos, x }, workgroups: grid1d(rt, T * C) });
}
