import type { Chapter } from '../types';

export const loss: Chapter = {
  id: 'loss',
  title: '4 · The loss and λ',
  body: [
    "BESA judges a mask by the whole block's output, not one layer at a time. The target Y_ref is the dense block applied to the same inputs the pruned block sees. The reconstruction term is the mean over output channels of the relative squared error, `‖Y_c − Y_ref,c‖² / ‖Y_ref,c‖²`.",
    "Without a counterweight the best mask would prune nothing. The penalty `λ · ((s_block − target) / target)²` pulls the block's parameter-weighted sparsity to the target. The reference uses λ = 5. A larger λ holds the total tighter; a smaller one lets the block drift below the target to protect accuracy.",
    'Only θ is trained; the weights stay frozen. Prodigy adapts its own step size (d grows from 1e-6), with a fresh optimiser for every block.',
  ],
  watch: 'The loss chart: reconstruction (blue) and penalty (red) after every step of this block.',
  highlight: 'loss-chart',
  action: { kind: 'block' },
  actionLabel: 'Finish this block',
};
