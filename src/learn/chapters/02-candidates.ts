import type { Chapter } from '../types';

export const candidates: Chapter = {
  id: 'candidates',
  title: '2 · Candidate sparsities',
  body: [
    'Each row does not pick a sparsity directly. It holds a probability for each of a fixed list of candidates: 1.00, 0.99, …, 0.01, 0.00 (101 values with step 0.01). The probabilities come from learnable logits θ: `p = softmax(sigmoid(θ))`.',
    "The row's expected sparsity is the probability-weighted mean of the candidates, `s_row = Σ_d p_d · cand_d`, and a layer's sparsity is the mean over its rows. θ starts at zero, so every candidate is equally likely and every layer starts at exactly 0.5.",
    'The sigmoid before the softmax squeezes the logits into (0, 1), so no candidate can get more than about 2.6% probability: every row stays between about 0.38 and 0.62 sparsity. That is the reference code\'s behaviour, kept on purpose — turn "sigmoid" off in the Method panel to see rows move freely.',
  ],
  watch:
    "The sparsity chart (now following block 1): the 7 coloured lines are the layers' expected sparsities. They start together at exactly 0.5, and for the first ten or so steps they hardly move (Prodigy's warm-up, chapter 4); the next chapter takes enough steps to see them separate.",
  highlight: 'sparsity-chart',
  action: { kind: 'step' },
  actionLabel: 'Take one step of block 1',
};
