// Test helpers for the CPU references: seeded f64 inputs and central finite differences
// (tolerance checks: tests/support/close.ts).
import { Rng } from '../../../src/core/rng';

export function randn64(rng: Rng, n: number, std = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = std * rng.normal();
  return a;
}

/** Σ a ⊙ b in f64: turns a vector output into the scalar loss L = <out, R> whose gradient is R. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Central-difference gradient of f with respect to every entry of x (x is restored). */
export function fdGrad(f: () => number, x: Float64Array, h = 1e-6, idx?: number[]): Float64Array {
  const g = new Float64Array(x.length);
  const which = idx ?? Array.from({ length: x.length }, (_, i) => i);
  for (const i of which) {
    const x0 = x[i];
    x[i] = x0 + h;
    const fp = f();
    x[i] = x0 - h;
    const fm = f();
    x[i] = x0;
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}
