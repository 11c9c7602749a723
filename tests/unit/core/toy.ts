// The toy problem of tests/fixtures/micro (README): θ [G, 101], loss = Σ_g (softmax(sigmoid θ_g)·cand − target_g)².
import { candidates, pruneCountsPerCandidate } from '../../../src/core/besa/candidates';
import { thetaGrad } from '../../../src/core/besa/grad';
import { probabilities, rowSparsities } from '../../../src/core/besa/sparsity';

const cand = candidates();
const D = cand.length;

/** Toy loss and its gradient for θ [G, D]: Σ_g (s_g − target)², dL/ds_g = 2(s_g − target). */
export function toyLossGrad(theta: Float32Array, G: number, target: number | ArrayLike<number>): { loss: number; grad: Float32Array } {
  const p = probabilities(theta, G, D, true);
  const s = rowSparsities(p, cand, G);
  let loss = 0;
  const grad = new Float32Array(G * D);
  for (let g = 0; g < G; g++) {
    const tg = typeof target === 'number' ? target : target[g];
    loss += (s[g] - tg) ** 2;
    // no mask term: G_M = 0 over a 1-column dummy layout; the whole gradient is the dL/ds_g term
    const one = thetaGrad(new Float32Array(1), new Int32Array(1), theta.subarray(g * D, (g + 1) * D), p.subarray(g * D, (g + 1) * D),
      pruneCountsPerCandidate(1, cand), cand, 1, 1, 1, true, 2 * (s[g] - tg));
    grad.set(one, g * D);
  }
  return { loss, grad };
}

