import type { Chapter } from '../types';

export const softMask: Chapter = {
  id: 'soft-mask',
  title: '3 · Soft mask and the straight-through estimator',
  body: [
    'The forward pass uses a hard mask: row r drops its `n_r = floor(s_r · C)` least important weights (C = inputs), exactly as the reference code does during learning. Counting weights is not differentiable, so the gradient needs another path.',
    'That path is the soft mask, written P (capital; the small p_d are the candidate probabilities of chapter 2). The weight at sorted position j is kept with probability `P_j = 1 − Σ_d p_d · [j < floor(C · cand_d)]`: one minus the probability of all candidates that would prune it. It is smooth in p, hence in θ.',
    "The straight-through estimator combines both: `M = M_hard − P + P` with the first two terms detached. Its value is the hard mask (what the block really computes), its gradient is the soft mask's. In closed form, the gradient with respect to p_d is minus the prefix sum of ∂L/∂M over the first floor(C · cand_d) sorted weights of the row.",
  ],
  watch:
    "The per-row allocation: every cell is one row's s_r, the number behind its n_r. Each step moves every row's θ by its own gradient (prefix sums of ∂L/∂M along that row's sort order). After these 19 steps, past Prodigy's warm-up, the rows have drifted apart; hover a cell for its change since step 1. Every step's loss was measured with the hard mask.",
  highlight: 'row-allocation',
  action: { kind: 'step', n: 19 },
  actionLabel: 'Take 19 more steps (to step 20)',
};
