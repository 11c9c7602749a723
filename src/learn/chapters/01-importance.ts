import type { Chapter } from '../types';

export const importance: Chapter = {
  id: 'importance',
  title: '1 · Which weights matter: importance and sorting',
  body: [
    'Pruning sets some weights of a linear layer W (shape [out, in]) to exactly zero. The question is which ones. BESA ranks them with the Wanda score: `S[i,j] = |W[i,j]| · ‖X_j‖`, the size of the weight times the typical size of the input it multiplies, measured on the calibration text in a dense pass over the block.',
    'The scores are sorted separately for every output row, once per block, from least to most important. From then on, "prune n weights of row i" always means "the n with the smallest score". What BESA learns is not which weights, but how many per row.',
    'Press the button: the run starts paused, does the dense pass (collecting ‖X_j‖ for all 7 layers at once) and one optimiser step. The mask view shows a layer: every row already has its own cut, because every row has its own sort order.',
  ],
  watch: 'The mask: light pixels are pruned. Within a row they are the weights with the lowest |w|·‖x‖.',
  highlight: 'mask',
  action: { kind: 'step' },
  actionLabel: 'Start and take one step',
};
