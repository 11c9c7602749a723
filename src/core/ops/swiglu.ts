// SwiGLU gate of the LLaMA MLP: h = silu(gate) ⊙ up, silu(g) = g·σ(g). Elementwise, so no dims.
import { alloc, checkLen, type Vec } from './vec';

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function swigluForward<A extends Vec>(gate: A /*[T,F]*/, up: Vec /*[T,F]*/): A /*[T,F]*/ {
  checkLen('swigluForward', 'up', up, gate.length);
  const h = alloc(gate, gate.length);
  for (let i = 0; i < gate.length; i++) {
    const g = gate[i];
    h[i] = g * sigmoid(g) * up[i];
  }
  return h;
}

/** dgate = dh·up·σ(g)(1 + g(1−σ(g))), dup = dh·silu(g). */
export function swigluBackward<A extends Vec>(gate: A /*[T,F]*/, up: Vec /*[T,F]*/, dh: Vec /*[T,F]*/): { dgate: A; dup: A } {
  checkLen('swigluBackward', 'up', up, gate.length);
  checkLen('swigluBackward', 'dh', dh, gate.length);
  const dgate = alloc(gate, gate.length);
  const dup = alloc(gate, gate.length);
  for (let i = 0; i < gate.length; i++) {
    const g = gate[i];
    const s = sigmoid(g);
    dgate[i] = dh[i] * up[i] * s * (1 + g * (1 - s));
    dup[i] = dh[i] * g * s;
  }
  return { dgate, dup };
}
