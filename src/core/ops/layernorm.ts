// LayerNorm (GPT-2): y = (x − mean)·rstd·w + b, rstd = 1/sqrt(var + eps), var the biased (÷C) variance,
// per token (docs/gpt2.md §2). w and b are frozen during pruning (docs/besa.md §1.1): backward returns dx only.
import { alloc, checkLen, type Vec } from './vec';

export function layernormForward<A extends Vec>(
  x: A /*[T,C]*/,
  w: Vec /*[C]*/,
  b: Vec /*[C]*/,
  T: number,
  C: number,
  eps: number,
): { y: A /*[T,C]*/; mean: A /*[T]*/; rstd: A /*[T]*/ } {
  checkLen('layernormForward', 'x', x, T * C);
  checkLen('layernormForward', 'w', w, C);
  checkLen('layernormForward', 'b', b, C);
  const y = alloc(x, T * C);
  const mean = alloc(x, T);
  const rstd = alloc(x, T);
  for (let t = 0; t < T; t++) {
    const o = t * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += x[o + c];
    const mu = s / C;
    let ss = 0;
    for (let c = 0; c < C; c++) ss += (x[o + c] - mu) * (x[o + c] - mu);
    const r = 1 / Math.sqrt(ss / C + eps);
    mean[t] = mu;
    rstd[t] = r;
    for (let c = 0; c < C; c++) y[o + c] = (x[o + c] - mu) * r * w[c] + b[c];
  }
  return { y, mean, rstd };
}

/**
 * With x̂ = (x − mean)·rstd and g = w ⊙ dy: dx = rstd·(g − mean_c(g) − x̂·mean_c(g ⊙ x̂)), per token.
 * Uses the saved mean/rstd of the forward.
 */
export function layernormBackward<A extends Vec>(
  x: A /*[T,C]*/,
  w: Vec /*[C]*/,
  mean: Vec /*[T]*/,
  rstd: Vec /*[T]*/,
  dy: Vec /*[T,C]*/,
  T: number,
  C: number,
): A /*[T,C]*/ {
  checkLen('layernormBackward', 'x', x, T * C);
  checkLen('layernormBackward', 'w', w, C);
  checkLen('layernormBackward', 'mean', mean, T);
  checkLen('layernormBackward', 'rstd', rstd, T);
  checkLen('layernormBackward', 'dy', dy, T * C);
  const dx = alloc(x, T * C);
  for (let t = 0; t < T; t++) {
    const o = t * C;
    const mu = mean[t];
    const r = rstd[t];
    let sg = 0;
    let sgx = 0;
    for (let c = 0; c < C; c++) {
      const g = w[c] * dy[o + c];
      sg += g;
      sgx += g * (x[o + c] - mu) * r;
    }
    sg /= C;
    sgx /= C;
    for (let c = 0; c < C; c++) dx[o + c] = r * (w[c] * dy[o + c] - sg - (x[o + c] - mu) * r * sgx);
  }
  return dx;
}
