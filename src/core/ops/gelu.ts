// GELU, tanh form (GPT-2's "gelu_new", docs/gpt2.md §2): h = ½·u·(1 + tanh(√(2/π)·(u + 0.044715·u³))).
// Elementwise, so no dims.
import { alloc, checkLen, type Vec } from './vec';

const K = Math.sqrt(2 / Math.PI);
const A = 0.044715;

export function geluForward<V extends Vec>(u: V /*[T,F]*/): V /*[T,F]*/ {
  const h = alloc(u, u.length);
  for (let i = 0; i < u.length; i++) {
    const x = u[i];
    h[i] = 0.5 * x * (1 + Math.tanh(K * (x + A * x * x * x)));
  }
  return h;
}

/** du = dh·(½(1 + th) + ½·u·(1 − th²)·√(2/π)·(1 + 3·0.044715·u²)), th = tanh(√(2/π)(u + 0.044715u³)). */
export function geluBackward<V extends Vec>(u: V /*[T,F]*/, dh: Vec /*[T,F]*/): V /*[T,F]*/ {
  checkLen('geluBackward', 'dh', dh, u.length);
  const du = alloc(u, u.length);
  for (let i = 0; i < u.length; i++) {
    const x = u[i];
    const th = Math.tanh(K * (x + A * x * x * x));
    du[i] = dh[i] * (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * K * (1 + 3 * A * x * x));
  }
  return du;
}
