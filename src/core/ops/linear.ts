// Masked linear layer, the unit BESA prunes (docs/besa.md §1.5): W_eff = W ⊙ M, y = x W_effᵀ + b.
// W is [out, in] (PyTorch layout). The mask is the STE mask; its gradient dL/dM = (dyᵀ x) ⊙ W.
import { alloc, checkLen, type Vec } from './vec';

/** y[T,Out] = x[T,In] · (W⊙M)ᵀ[In,Out] + b[Out]. */
export function linearForward<A extends Vec>(
  x: A /*[T,In]*/,
  w: Vec /*[Out,In]*/,
  T: number,
  In: number,
  Out: number,
  b?: Vec /*[Out]*/,
  mask?: Vec /*[Out,In]*/,
): A /*[T,Out]*/ {
  checkLen('linearForward', 'x', x, T * In);
  checkLen('linearForward', 'w', w, Out * In);
  checkLen('linearForward', 'b', b, Out);
  checkLen('linearForward', 'mask', mask, Out * In);
  const y = alloc(x, T * Out);
  for (let t = 0; t < T; t++) {
    const xo = t * In;
    for (let o = 0; o < Out; o++) {
      const wo = o * In;
      let acc = b ? b[o] : 0;
      if (mask) for (let i = 0; i < In; i++) acc += x[xo + i] * (w[wo + i] * mask[wo + i]);
      else for (let i = 0; i < In; i++) acc += x[xo + i] * w[wo + i];
      y[t * Out + o] = acc;
    }
  }
  return y;
}

/**
 * Backward of linearForward with W frozen (BESA trains only the masks, docs/besa.md §1.1).
 * dx[T,In] = dy · (W⊙M);  dMask[Out,In] = (dyᵀ x) ⊙ W  (docs/besa.md §1.5, G = dL/dW_eff ⊙ W).
 * dMask does not depend on the mask value, so it is also the gradient at M = M_hard (STE).
 */
export function linearBackward<A extends Vec>(
  x: A /*[T,In]*/,
  w: Vec /*[Out,In]*/,
  dy: Vec /*[T,Out]*/,
  T: number,
  In: number,
  Out: number,
  mask?: Vec /*[Out,In]*/,
): { dx: A /*[T,In]*/; dMask: A /*[Out,In]*/ } {
  checkLen('linearBackward', 'x', x, T * In);
  checkLen('linearBackward', 'w', w, Out * In);
  checkLen('linearBackward', 'dy', dy, T * Out);
  checkLen('linearBackward', 'mask', mask, Out * In);
  const dx = alloc(x, T * In);
  const dMask = alloc(x, Out * In);
  const acc = new Float64Array(In);
  for (let t = 0; t < T; t++) {
    acc.fill(0);
    for (let o = 0; o < Out; o++) {
      const g = dy[t * Out + o];
      if (g === 0) continue;
      const wo = o * In;
      if (mask) for (let i = 0; i < In; i++) acc[i] += g * (w[wo + i] * mask[wo + i]);
      else for (let i = 0; i < In; i++) acc[i] += g * w[wo + i];
    }
    for (let i = 0; i < In; i++) dx[t * In + i] = acc[i];
  }
  for (let o = 0; o < Out; o++) {
    acc.fill(0);
    for (let t = 0; t < T; t++) {
      const g = dy[t * Out + o];
      if (g === 0) continue;
      const xo = t * In;
      for (let i = 0; i < In; i++) acc[i] += g * x[xo + i];
    }
    const wo = o * In;
    for (let i = 0; i < In; i++) dMask[wo + i] = acc[i] * w[wo + i];
  }
  return { dx, dMask };
}
