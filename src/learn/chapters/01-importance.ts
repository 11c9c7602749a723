import type { Chapter } from '../types';

export const importance: Chapter = {
  id: 'importance',
  title: '1 · Which weights matter: importance and sorting',
  body: [
    'Pruning sets some weights of a linear layer W (shape [out, in]) to exactly zero. The question is which ones. BESA ranks them with the Wanda score: `S[i,j] = |W[i,j]| · ‖X_j‖`, the size of the weight times the typical size of the input it multiplies, measured on the calibration text in a dense pass over the block.',
    'The scores are sorted separately for every output row, once per block, from least to most important. From then on, "prune n weights of row i" always means "the n with the smallest score". What BESA learns is not which weights, but how many per row.',
    'Press the button: the run prunes block 0 — a dense pass that collects ‖X_j‖ for all 7 layers at once, then one optimiser step per calibration sample — and pauses before block 1. The mask view then shows a layer of block 0: light pixels are the pruned weights. Every row has its own cut, because every row has its own sort order and (row-wise BESA) its own learned count.',
  ],
  watch: 'The mask: within a row, the light pixels are the weights with the lowest |w|·‖x‖. Switch layers with the selector.',
  highlight: 'mask',
  action: { kind: 'block' },
  actionLabel: 'Prune block 0 and pause',
};
