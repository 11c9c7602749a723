// Rotary position embedding. Frequencies: inv_freq_i = theta^(-2i/D), i in [0, D/2); angle = pos·inv_freq_i
// with pos = t + posOffset. Two pairings of the head dims (RopeLayout in src/model/spec.ts):
//  'half'        HF rotate_half: dims (i, i + D/2) rotate together with frequency i;
//  'interleaved' llama2.c:        dims (2i, 2i + 1) rotate together with frequency i.
// Angles are computed in f64 (HF computes them in f32; the difference is ~1e-7·pos, below f32 noise
// for the short windows used here).
import type { RopeLayout } from '../../model/spec';
import { ShapeError } from '../errors';
import { alloc, checkLen, type Vec } from './vec';

export class RopeShapeError extends ShapeError {
  override name = 'RopeShapeError';
  constructor(D: number) {
    super(`rope: head dim D=${D} must be even; RoPE rotates pairs of dims`);
  }
}

/** cos/sin of pos·theta^(−2i/D) for pos < P, [P, D/2] each (f64, the same expressions rotate used to evaluate per call). */
interface RopeTable {
  P: number;
  cos: Float64Array;
  sin: Float64Array;
}

/** Tables per (D, theta), grown to the largest position asked for; a few entries (one per model in use). */
const tables = new Map<string, RopeTable>();
const MAX_TABLES = 8;

function ropeTable(D: number, theta: number, P: number): RopeTable {
  const key = `${D},${theta}`;
  const have = tables.get(key);
  if (have && have.P >= P) return have;
  const half = D / 2;
  const n = Math.max(P, have ? 2 * have.P : 0);
  const cos = new Float64Array(n * half);
  const sin = new Float64Array(n * half);
  for (let pos = 0; pos < n; pos++)
    for (let i = 0; i < half; i++) {
      const ang = pos * Math.pow(theta, (-2 * i) / D);
      cos[pos * half + i] = Math.cos(ang);
      sin[pos * half + i] = Math.sin(ang);
    }
  const t = { P: n, cos, sin };
  tables.delete(key);
  if (tables.size >= MAX_TABLES) tables.delete(tables.keys().next().value!);
  tables.set(key, t);
  return t;
}

function rotate<A extends Vec>(
  x: A,
  T: number,
  H: number,
  D: number,
  theta: number,
  layout: RopeLayout,
  posOffset: number,
  sign: 1 | -1, // +1 forward rotation, −1 its transpose (the inverse rotation)
): A {
  if (D % 2 !== 0) throw new RopeShapeError(D);
  checkLen('rope', 'x', x, T * H * D);
  const half = D / 2;
  const y = alloc(x, x.length);
  const { cos, sin } = ropeTable(D, theta, T + posOffset);
  // 'half' pairs (i, i + D/2), 'interleaved' pairs (2i, 2i + 1)
  const [step, other] = layout === 'half' ? [1, half] : [2, 1];
  for (let t = 0; t < T; t++) {
    const row = (t + posOffset) * half;
    for (let h = 0; h < H; h++) {
      const base = (t * H + h) * D;
      for (let i = 0; i < half; i++) {
        const ia = base + step * i;
        const ib = ia + other;
        const c = cos[row + i];
        const s = sign * sin[row + i];
        const a = x[ia];
        const b = x[ib];
        y[ia] = a * c - b * s;
        y[ib] = b * c + a * s;
      }
    }
  }
  return y;
}

/** Rotate q or k, x is [T, H*D] (head h occupies columns h*D .. h*D+D-1). */
export function ropeForward<A extends Vec>(
  x: A /*[T,H*D]*/,
  T: number,
  H: number,
  D: number,
  theta: number,
  layout: RopeLayout,
  posOffset = 0,
): A /*[T,H*D]*/ {
  return rotate(x, T, H, D, theta, layout, posOffset, 1);
}

/** Backward of ropeForward: the rotation is orthogonal, so dx = Rᵀ dy (rotation by −angle). */
export function ropeBackward<A extends Vec>(
  dy: A /*[T,H*D]*/,
  T: number,
  H: number,
  D: number,
  theta: number,
  layout: RopeLayout,
  posOffset = 0,
): A /*[T,H*D]*/ {
  return rotate(dy, T, H, D, theta, layout, posOffset, -1);
}
