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
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let t = 0; t < T; t++) {
    const pos = t + posOffset;
    for (let i = 0; i < half; i++) {
      const ang = pos * Math.pow(theta, (-2 * i) / D);
      cos[i] = Math.cos(ang);
      sin[i] = sign * Math.sin(ang);
    }
    for (let h = 0; h < H; h++) {
      const base = (t * H + h) * D;
      for (let i = 0; i < half; i++) {
        const ia = layout === 'half' ? base + i : base + 2 * i;
        const ib = layout === 'half' ? base + i + half : base + 2 * i + 1;
        const a = x[ia];
        const b = x[ib];
        y[ia] = a * cos[i] - b * sin[i];
        y[ib] = b * cos[i] + a * sin[i];
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
