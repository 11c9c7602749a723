// The toy problem of tests/fixtures/micro (tools/make_fixtures.py section (d)):
// θ [G, 101], loss = Σ_g (softmax(sigmoid θ_g)·cand − target_g)². The gradient goes through
// thetaGrad with no mask term (G_M = 0) and dL/ds_g = 2(s_g − target_g).
import { candidates, pruneCountsPerCandidate } from '../../../src/core/besa/candidates';
import { thetaGrad } from '../../../src/core/besa/grad';
import { probabilities, rowSparsities } from '../../../src/core/besa/sparsity';
import { alloc, type Vec } from '../../../src/core/ops/vec';

const cand32 = candidates();

export function toyLossGrad<A extends Vec>(
  theta: A /*[G,D]*/,
  G: number,
  target: number | ArrayLike<number>,
  cand: Vec = cand32,
): { loss: number; grad: A } {
  const D = cand.length;
  const p = probabilities(theta, G, D, true);
  const s = rowSparsities(p, cand, G);
  let loss = 0;
  const grad = alloc(theta, G * D);
  const kd = pruneCountsPerCandidate(1, cand);
  for (let g = 0; g < G; g++) {
    const tg = typeof target === 'number' ? target : target[g];
    loss += (s[g] - tg) ** 2;
    // a 1×1 dummy mask layout with G_M = 0: the whole gradient is the dL/ds_g term
    const one = thetaGrad(
      new Float64Array(1),
      new Int32Array(1),
      theta.subarray(g * D, (g + 1) * D),
      p.subarray(g * D, (g + 1) * D),
      kd,
      cand,
      1,
      1,
      1,
      true,
      2 * (s[g] - tg),
    );
    grad.set(one, g * D);
  }
  return { loss, grad };
}
