// Wrapper for shaders/matmul_tiled.wgsl (and the naive baseline): packs the strided description
// into the Params uniform, checks every index the kernel can touch lies inside its buffer, and
// dispatches one 64×64 tile per workgroup (16×16 outputs per workgroup for the naive kernel).
// 'rows' is the naive kernel with 64×1 workgroups, chosen by default ('auto') for M ≤ ROWS_MAX_M:
// the tiled kernel's cost does not shrink below 64 rows, so a one-row decode step would cost as much
// as a 64-token forward.
import type { MatmulDesc } from '../../core/matmul';
import { ShapeError } from '../errors';
import type { GpuRuntime } from '../runtime';
import { matmulNaiveKernel, matmulTiledKernel } from './descriptors';

export type MatmulVariant = 'auto' | 'tiled' | 'naive' | 'rows';

/** 'auto' uses the 'rows' kernel up to this many output rows (beyond it the tiles' data reuse wins). */
export const ROWS_MAX_M = 4;

function lastIndex(off: number, lastBatch: number, bs: number, dims: [number, number][]): number {
  let last = off + lastBatch * bs;
  for (const [n, s] of dims) last += (n - 1) * s;
  return last;
}

function checkFits(name: string, buf: GPUBuffer, last: number): void {
  if ((last + 1) * 4 > buf.size) {
    throw new ShapeError(
      `matmul: ${name} ("${buf.label}") holds ${buf.size / 4} floats but the description reads index ${last}. ` +
        'Check M, N, K, strides and offsets.',
    );
  }
}

/** The Params fields of shaders/_params_matmul.wgsl with MatmulDesc's defaults filled in. */
export function matmulParams(d: MatmulDesc) {
  return {
    M: d.M,
    N: d.N,
    K: d.K,
    batch: d.batch ?? 1,
    offA: d.offA ?? 0,
    sAm: d.sAm,
    sAk: d.sAk,
    bsA: d.bsA ?? 0,
    offB: d.offB ?? 0,
    sBk: d.sBk,
    sBn: d.sBn,
    bsB: d.bsB ?? 0,
    offC: d.offC ?? 0,
    ldc: d.ldc ?? d.N,
    bsC: d.bsC ?? 0,
    divA: d.divA ?? 1,
    alpha: d.alpha ?? 1,
    beta: d.beta ?? 0,
    divB: d.divB ?? 1,
    divC: d.divC ?? 1,
  };
}

/** Record C = alpha·op(A)·op(B) + beta·C on the runtime's encoder. */
export function matmul(rt: GpuRuntime, A: GPUBuffer, B: GPUBuffer, C: GPUBuffer, d: MatmulDesc, variant: MatmulVariant = 'auto'): void {
  const batch = d.batch ?? 1;
  if (d.M <= 0 || d.N <= 0 || d.K <= 0 || batch <= 0) {
    throw new ShapeError(`matmul: M, N, K and batch must be positive (got M=${d.M} N=${d.N} K=${d.K} batch=${batch}).`);
  }
  const div = { A: d.divA ?? 1, B: d.divB ?? 1, C: d.divC ?? 1 };
  for (const [k, v] of Object.entries(div)) {
    if (!Number.isInteger(v) || v < 1) throw new ShapeError(`matmul: div${k} must be a positive integer (got ${v}).`);
  }
  const lastB = (dv: number) => Math.floor((batch - 1) / dv);
  checkFits(
    'A',
    A,
    lastIndex(d.offA ?? 0, lastB(div.A), d.bsA ?? 0, [
      [d.M, d.sAm],
      [d.K, d.sAk],
    ]),
  );
  checkFits(
    'B',
    B,
    lastIndex(d.offB ?? 0, lastB(div.B), d.bsB ?? 0, [
      [d.K, d.sBk],
      [d.N, d.sBn],
    ]),
  );
  checkFits(
    'C',
    C,
    lastIndex(d.offC ?? 0, lastB(div.C), d.bsC ?? 0, [
      [d.M, d.ldc ?? d.N],
      [d.N, 1],
    ]),
  );
  const v = variant === 'auto' ? (d.M <= ROWS_MAX_M ? 'rows' : 'tiled') : variant;
  const [tx, ty] = v === 'tiled' ? [64, 64] : v === 'naive' ? [16, 16] : [64, 1];
  const maxWg = rt.caps.limits.maxComputeWorkgroupsPerDimension;
  const wx = Math.ceil(d.N / tx);
  const wy = Math.ceil(d.M / ty);
  if (wx > maxWg || wy > maxWg || batch > maxWg) {
    throw new ShapeError(`matmul: ${d.M}×${d.N}×batch ${batch} needs more than ${maxWg} workgroups per dimension.`);
  }
  const args = { params: matmulParams(d), buffers: { A, B, C }, workgroups: [wx, wy, batch] as [number, number, number] };
  if (v === 'tiled') rt.run(matmulTiledKernel, 'main', args);
  else rt.run(matmulNaiveKernel, 'main', v === 'naive' ? args : { ...args, constants: { WG_X: 64, WG_Y: 1 } });
}
