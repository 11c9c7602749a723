import type { Chapter } from '../types';

export const loss: Chapter = {
  id: 'loss',
  title: '4 · The loss and λ',
  body: [
    "BESA judges a mask by the whole block's output, not one layer at a time. The target Y_ref is the dense block applied to the same inputs the pruned block sees. The reconstruction term is the mean over output channels of the relative squared error, `‖Y_c − Y_ref,c‖² / ‖Y_ref,c‖²`.",
    "Without a counterweight the best mask would prune nothing. The penalty `λ · ((s_block − target) / target)²` pulls the block's parameter-weighted sparsity to the target. The reference uses λ = 5. A larger λ holds the total tighter; a smaller one lets the block drift below the target to protect accuracy.",
    "The penalty's gradient is `∂/∂s_block = 2λ · (s_block − target) / target²`: zero at the target, growing linearly away from it. s_block is the parameter-weighted mean of the rows' s_r, and `∂s_r/∂p_d = cand_d`, so every row is pushed towards more sparsity by the same amount per parameter, while the reconstruction gradient tells each row where pruning hurts.",
    'Why "parameter-efficient": only θ is trained, 101 logits per row against the row\'s C weights (C = 4096 in LLaMA-7B: 2.5 %), and no weight is ever updated. Learning an allocation costs one block\'s forward and backward pass, not a fine-tuning of the model.',
    "θ is trained with Prodigy, a fresh optimiser for every block. Prodigy estimates its own step size d, starting from d₀ = 1e-6: the first steps barely move θ, so the lines look flat. d grows quickly, and around steps 12–18 it reaches the gradients' scale: that is when the lines jump, before they settle. On runs shorter than that, BESA hardly leaves its Wanda start.",
  ],
  watch:
    'The loss chart: reconstruction and penalty after every step of this block. The penalty rises from almost nothing when the allocation starts to move (steps 12–18) and then settles as λ holds the block near the target.',
  highlight: 'loss-chart',
  action: { kind: 'step', n: 8 },
  actionLabel: 'Take 8 more steps (to step 28)',
};
