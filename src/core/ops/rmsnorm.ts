// RMSNorm (LLaMA): y = x · rstd · w, rstd = 1/sqrt(mean(x²) + eps), per token. The weight w is frozen
// during BESA (docs/besa.md §1.1), so the backward returns dx only.
import { alloc, checkLen, type Vec } from './vec';

export function rmsnormForward<A extends Vec>(
  x: A /*[T,C]*/,
  w: Vec /*[C]*/,
  T: number,
  C: number,
  eps: number,
): { y: A /*[T,C]*/; rstd: A /*[T]*/ } {
  checkLen('rmsnormForward', 'x', x, T * C);
  checkLen('rmsnormForward', 'w', w, C);
  const y = alloc(x, T * C);
  const rstd = alloc(x, T);
  for (let t = 0; t < T; t++) {
    const o = t * C;
    let ss = 0;
    for (let c = 0; c < C; c++) ss += x[o + c] * x[o + c];
    const r = 1 / Math.sqrt(ss / C + eps);
    rstd[t] = r;
    for (let c = 0; c < C; c++) y[o + c] = x[o + c] * r * w[c];
  }
  return { y, rstd };
}

/** dx = rstd·(w⊙dy) − rstd³·x·⟨w⊙dy, x⟩/C, per token. */
export function rmsnormBackward<A extends Vec>(
  x: A /*[T,C]*/,
  w: Vec /*[C]*/,
  rstd: Vec /*[T]*/,
  dy: Vec /*[T,C]*/,
  T: number,
  C: number,
): A /*[T,C]*/ {
  checkLen('rmsnormBackward', 'x', x, T * C);
  checkLen('rmsnormBackward', 'w', w, C);
  checkLen('rmsnormBackward', 'rstd', rstd, T);
  checkLen('rmsnormBackward', 'dy', dy, T * C);
  const dx = alloc(x, T * C);
  for (let t = 0; t < T; t++) {
    const o = t * C;
    const r = rstd[t];
    let dot = 0;
    for (let c = 0; c < C; c++) dot += w[c] * dy[o + c] * x[o + c];
    const k = (r * r * r * dot) / C;
    for (let c = 0; c < C; c++) dx[o + c] = r * w[c] * dy[o + c] - k * x[o + c];
  }
  return dx;
}
