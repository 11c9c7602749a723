// Wrapper for shaders/matmul_tiled.wgsl (and the naive baseline): packs the strided description
// into the Params uniform, checks every index the kernel can touch lies inside its buffer, and
// dispatches one 64×64 tile per workgroup (16×16 outputs per workgroup for the naive kernel).
// 'rows' is the naive kernel with 64×1 workgroups, chosen by default ('auto') for M ≤ ROWS_MAX_M:
// the tiled kernel's cost does not shrink below 64 rows, so a one-row decode step would cost as much
// as a 64-token forward.
import type { MatmulDesc } from '../../core/matmul';
import { ShapeError } from '../errors';
import type { GpuRuntime } from '../runtime';

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

export function packMatmulParams(d: MatmulDesc): ArrayBuffer {
  const buf = new ArrayBuffer(80);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  u.set([d.M, d.N, d.K, d.batch ?? 1]);
  u.set([d.offA ?? 0, d.sAm, d.sAk, d.bsA ?? 0], 4);
  u.set([d.offB ?? 0, d.sBk, d.sBn, d.bsB ?? 0], 8);
  u.set([d.offC ?? 0, d.ldc ?? d.N, d.bsC ?? 0, d.divA ?? 1], 12);
  f[16] = d.alpha ?? 1;
  f[17] = d.beta ?? 0;
  u.set([d.divB ?? 1, d.divC ?? 1], 18);
  return buf;
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
  checkFits('A', A, lastIndex(d.offA ?? 0, lastB(div.A), d.bsA ?? 0, [[d.M, d.sAm], [d.K, d.sAk]]));
  checkFits('B', B, lastIndex(d.offB ?? 0, lastB(div.B), d.bsB ?? 0, [[d.K, d.sBk], [d.N, d.sBn]]));
  checkFits('C', C, lastIndex(d.offC ?? 0, lastB(div.C), d.bsC ?? 0, [[d.M, d.ldc ?? d.N], [d.N, 1]]));
  const v = variant === 'auto' ? (d.M <= ROWS_MAX_M ? 'rows' : 'tiled') : variant;
  const [tx, ty] = v === 'tiled' ? [64, 64] : v === 'naive' ? [16, 16] : [64, 1];
  const maxWg = rt.caps.limits.maxComputeWorkgroupsPerDimension;
  const wx = Math.ceil(d.N / tx);
  const wy = Math.ceil(d.M / ty);
  if (wx > maxWg || wy > maxWg || batch > maxWg) {
    throw new ShapeError(`matmul: ${d.M}×${d.N}×batch ${batch} needs more than ${maxWg} workgroups per dimension.`);
  }
  rt.dispatch({
    pipeline: v === 'tiled' ? rt.pipeline('matmul_tiled') : v === 'naive' ? rt.pipeline('matmul_naive') : rt.pipeline('matmul_naive', 'main', { WG_X: 64, WG_Y: 1 }),
    params: packMatmulParams(d),
    buffers: [A, B, C],
    workgroups: [wx, wy, batch],
  });
}
