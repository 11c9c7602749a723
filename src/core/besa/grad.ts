// dL/dθ from G = dL/dM through the soft mask, in the prefix-sum form of docs/besa.md §1.5:
//   g_r(j) = G[r, sortIdx[r,j]];  Pre_r(k) = Σ_{j<k} g_r(j)
//   dL/dp_{g,d} = −Σ_{r in group g} Pre_r(k_d) + dLds_g · cand_d        (dLds: penalty, below)
//   dL/dz = p ⊙ (dL/dp − <p, dL/dp>)   (softmax backward, z = sigmoid θ or θ)
//   dL/dθ = dL/dz · σ(θ)(1−σ(θ))        (only with sigmoid smoothing)
import { checkLen, type Vec } from '../ops/vec';
import { groupSize } from './masks';
import { sigmoid } from './sparsity';
import type { SortOrder } from './importance';

/**
 * dL/dθ [G,D] (element type of θ). dLds is ∂L/∂s_g for every logit row of this linear, e.g. the
 * penalty term from penaltyGradPerRow; 0 for the reconstruction term alone.
 */
export function thetaGrad<A extends Vec>(
  G_M: Vec /*[rows,cols] dL/dM*/,
  sortIdx: SortOrder /*[rows,cols]*/,
  theta: A /*[G,D]*/,
  p: Vec /*[G,D] = probabilities(theta)*/,
  kd: Int32Array /*[D]*/,
  cand: Vec /*[D]*/,
  rows: number,
  cols: number,
  G: number,
  useSigmoid = true,
  dLds = 0,
): A /*[G,D]*/ {
  checkLen('thetaGrad', 'G_M', G_M, rows * cols);
  checkLen('thetaGrad', 'sortIdx', sortIdx, rows * cols);
  const preAtK = prefixAtCandidates(G_M, sortIdx, kd, rows, cols, G);
  return thetaGradFromPrefix(preAtK, theta, p, cand, G, useSigmoid, dLds);
}

/**
 * The heavy half of thetaGrad (the GPU computes it in shaders/besa_prefix_grad.wgsl):
 * preAtK[g, d] = Σ_{r in group g} Pre_r(k_d), with Pre_r(k) = Σ_{j<k} G[r, sortIdx[r, j]].
 */
export function prefixAtCandidates(
  G_M: Vec /*[rows,cols]*/,
  sortIdx: SortOrder /*[rows,cols]*/,
  kd: Int32Array /*[D]*/,
  rows: number,
  cols: number,
  G: number,
): Float64Array /*[G,D]*/ {
  const D = kd.length;
  const b = groupSize(rows, G);
  const out = new Float64Array(G * D);
  const pre = new Float64Array(cols + 1); // Σ over the group's rows of Pre_r(k), k = 0..cols
  for (let g = 0; g < G; g++) {
    pre.fill(0);
    for (let r = g * b; r < (g + 1) * b; r++) {
      let acc = 0;
      for (let j = 0; j < cols; j++) {
        acc += G_M[r * cols + sortIdx[r * cols + j]];
        pre[j + 1] += acc;
      }
    }
    for (let d = 0; d < D; d++) out[g * D + d] = pre[Math.min(cols, Math.max(0, kd[d]))];
  }
  return out;
}

/** Sum per-row prefix values [rows, D] over each logit group of rows/G rows → [G, D]. */
export function sumPrefixByGroup(preRows: ArrayLike<number> /*[rows,D]*/, rows: number, D: number, G: number): ArrayLike<number> /*[G,D]*/ {
  checkLen('sumPrefixByGroup', 'preRows', preRows, rows * D);
  if (G === rows) return preRows;
  const b = groupSize(rows, G);
  const out = new Float64Array(G * D);
  for (let r = 0; r < rows; r++) {
    const g = Math.floor(r / b);
    for (let d = 0; d < D; d++) out[g * D + d] += preRows[r * D + d];
  }
  return out;
}

/**
 * The light half: softmax (and sigmoid) backward from the prefix sums sampled at k_d. `sig` [G,D] is σ(θ)
 * as probabilities(…, sig) left it (the same f64 values this would compute); absent, it is computed here.
 */
export function thetaGradFromPrefix<A extends Vec>(
  preAtK: ArrayLike<number> /*[G,D]*/,
  theta: A /*[G,D]*/,
  p: Vec /*[G,D]*/,
  cand: Vec /*[D]*/,
  G: number,
  useSigmoid = true,
  dLds = 0,
  sig?: Float64Array,
): A /*[G,D]*/ {
  const D = cand.length;
  checkLen('thetaGrad', 'theta', theta, G * D);
  checkLen('thetaGrad', 'p', p, G * D);
  checkLen('thetaGrad', 'preAtK', preAtK, G * D);
  checkLen('thetaGrad', 'sig', sig, G * D);
  const out = (theta instanceof Float64Array ? new Float64Array(G * D) : new Float32Array(G * D)) as A;
  const dp = new Float64Array(D);
  for (let g = 0; g < G; g++) {
    let dot = 0;
    for (let d = 0; d < D; d++) {
      dp[d] = -preAtK[g * D + d] + dLds * cand[d];
      dot += p[g * D + d] * dp[d];
    }
    for (let d = 0; d < D; d++) {
      let dz = p[g * D + d] * (dp[d] - dot);
      if (useSigmoid) {
        const sg = sig ? sig[g * D + d] : sigmoid(theta[g * D + d]);
        dz *= sg * (1 - sg);
      }
      out[g * D + d] = dz;
    }
  }
  return out;
}

/**
 * ∂Pen/∂s_g for one linear, Pen = β((s_block − α̂)/α̂)²: s_block = Σ_l (numel_l/Σnumel) mean_g s_g, so
 * ∂Pen/∂s_g = dPen/ds_block · (numel_l/Σnumel) / G   (docs/besa.md §1.5, last line). dPenDsBlock from sparsityPenalty.
 */
export function penaltyGradPerRow(dPenDsBlock: number, numel: number, totalNumel: number, G: number): number {
  return (dPenDsBlock * (numel / totalNumel)) / G;
}
