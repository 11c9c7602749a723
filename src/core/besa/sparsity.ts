// From logits θ to sparsities (docs/besa.md §1.4, sparse_layers.update_sparsity, utils/tools.get_sparsity).
// θ is [G, D]: G = rows (row-wise, --blocksize 1), rows/b (blocksize b) or 1 (layer-wise); D = #cand.
//   p_g = softmax(sigmoid(θ_g))  (or softmax(θ_g) with sigmoid=false);  s_g = Σ_d p_{g,d} cand_d
//   s_layer = mean_g s_g;  s_block = Σ_l numel_l s_layer_l / Σ_l numel_l
import { checkLen, type Vec } from '../ops/vec';

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * p[G,D] = softmax over d of sigmoid(θ) (or of θ). Computed in f64, stored in θ's element type. `sig` [G,D],
 * when given with useSigmoid, receives σ(θ) in f64, so that thetaGradFromPrefix need not recompute it (an
 * exp per logit, a tenth of a one-thread WASM step).
 */
export function probabilities<A extends Vec>(theta: A /*[G,D]*/, G: number, D: number, useSigmoid = true, sig?: Float64Array): A {
  checkLen('probabilities', 'theta', theta, G * D);
  checkLen('probabilities', 'sig', sig, G * D);
  const p = (theta instanceof Float64Array ? new Float64Array(G * D) : new Float32Array(G * D)) as A;
  const z = new Float64Array(D);
  for (let g = 0; g < G; g++) {
    let mx = -Infinity;
    for (let d = 0; d < D; d++) {
      z[d] = useSigmoid ? sigmoid(theta[g * D + d]) : theta[g * D + d];
      if (sig && useSigmoid) sig[g * D + d] = z[d];
      if (z[d] > mx) mx = z[d];
    }
    let sum = 0;
    for (let d = 0; d < D; d++) sum += z[d] = Math.exp(z[d] - mx);
    for (let d = 0; d < D; d++) p[g * D + d] = z[d] / sum;
  }
  return p;
}

/** s[G] = p @ cand (expected sparsity of each logit row), f64. */
export function rowSparsities(p: Vec /*[G,D]*/, cand: Vec, G: number): Float64Array {
  const D = cand.length;
  checkLen('rowSparsities', 'p', p, G * D);
  const s = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    let acc = 0;
    for (let d = 0; d < D; d++) acc += p[g * D + d] * cand[d];
    s[g] = acc;
  }
  return s;
}

export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/** Parameter-weighted block sparsity over the 7 linears (utils/tools.get_sparsity). */
export function blockSparsity(layers: ReadonlyArray<{ numel: number; sparsity: number }>): number {
  let num = 0;
  let den = 0;
  for (const l of layers) {
    num += l.numel * l.sparsity;
    den += l.numel;
  }
  return num / den;
}

/** BESA's sparsity penalty λ((s − α̂)/α̂)² and its derivative d/ds (docs/besa.md §1.6, main.loss_func). */
export function sparsityPenalty(sBlock: number, target: number, beta: number): { penalty: number; dS: number } {
  const r = (sBlock - target) / target;
  return { penalty: beta * r * r, dS: (2 * beta * r) / target };
}
