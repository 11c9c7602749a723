// Wrapper for shaders/rope.wgsl (CPU reference: src/core/ops/rope.ts). The cos/sin table is built on
// the CPU in f64 with exactly the reference's formula, so GPU and CPU rotate by the same angles; f32
// in-kernel angles would be off by up to ~1e-4 rad at t ≈ 512.
import type { RopeLayout } from '../../model/spec';
import { ShapeError } from '../errors';
import type { GpuRuntime } from '../runtime';
import { ropeKernel } from './descriptors';
import { checkDistinct, checkDims, checkFloats, grid1d } from './grid';

/** cos/sin of (posOffset + t)·theta^(−2i/D) for t < T, i < D/2, on the GPU as cs [T, D/2, 2]. */
export interface RopeTable {
  buffer: GPUBuffer;
  T: number;
  D: number;
  theta: number;
  posOffset: number;
}

/** The table as a Float32Array [T, D/2, 2] (angles and cos/sin in f64, rounded once to f32). */
export function ropeTableData(T: number, D: number, theta: number, posOffset = 0): Float32Array {
  if (!Number.isInteger(D) || D <= 0 || D % 2 !== 0) throw new ShapeError(`rope: head dim D=${D} must be a positive even integer.`);
  checkDims('ropeTable', { T });
  const half = D / 2;
  const cs = new Float32Array(T * half * 2);
  for (let t = 0; t < T; t++) {
    const pos = t + posOffset;
    for (let i = 0; i < half; i++) {
      const ang = pos * Math.pow(theta, (-2 * i) / D); // same expression as src/core/ops/rope.ts
      cs[2 * (t * half + i)] = Math.cos(ang);
      cs[2 * (t * half + i) + 1] = Math.sin(ang);
    }
  }
  return cs;
}

export function createRopeTable(rt: GpuRuntime, T: number, D: number, theta: number, posOffset = 0): RopeTable {
  const buffer = rt.upload(ropeTableData(T, D, theta, posOffset), `rope-cs[T=${T},D=${D},pos+${posOffset}]`);
  return { buffer, T, D, theta, posOffset };
}

function rope(
  entry: 'forward' | 'backward',
  rt: GpuRuntime,
  table: RopeTable,
  x: GPUBuffer,
  y: GPUBuffer,
  T: number,
  H: number,
  D: number,
  layout: RopeLayout,
  t0: number,
): void {
  const op = `rope ${entry}`;
  checkDims(op, { T, H, D });
  if (!Number.isInteger(t0) || t0 < 0) throw new ShapeError(`${op}: table row offset t0 must be a non-negative integer (got ${t0}).`);
  if (D % 2 !== 0) throw new ShapeError(`${op}: head dim D=${D} must be even; RoPE rotates pairs of dims.`);
  if (table.D !== D || table.T < T + t0) {
    throw new ShapeError(
      `${op}: the RoPE table covers T=${table.T}, D=${table.D} but T=${T + t0} (rows ${t0}..${t0 + T - 1}), D=${D} is needed; build it with createRopeTable(rt, T, D, ...).`,
    );
  }
  checkFloats(op, 'x', x, T * H * D);
  checkFloats(op, 'y', y, T * H * D);
  checkDistinct(op, { x, y });
  const lay = layout === 'half' ? 0 : layout === 'interleaved' ? 1 : -1;
  if (lay < 0) throw new ShapeError(`${op}: unknown layout "${String(layout)}"; use 'half' or 'interleaved'.`);
  rt.run(ropeKernel, entry, {
    params: { T, H, D, interleaved: lay, t0 },
    buffers: { cs: table.buffer, x, y },
    workgroups: grid1d(rt, (T * H * D) / 2),
  });
}

/** y[T,H·D] = RoPE(x) at positions table.posOffset + t0 + t (t0: first table row, for decoding at an offset). */
export function ropeForward(
  rt: GpuRuntime,
  table: RopeTable,
  x: GPUBuffer,
  y: GPUBuffer,
  T: number,
  H: number,
  D: number,
  layout: RopeLayout,
  t0 = 0,
): void {
  rope('forward', rt, table, x, y, T, H, D, layout, t0);
}

/** dx[T,H·D] = Rᵀ·dy (rotation by −angle). */
export function ropeBackward(
  rt: GpuRuntime,
  table: RopeTable,
  dy: GPUBuffer,
  dx: GPUBuffer,
  T: number,
  H: number,
  D: number,
  layout: RopeLayout,
  t0 = 0,
): void {
  rope('backward', rt, table, dy, dx, T, H, D, layout, t0);
}
