import type { Chapter } from '../types';

export const allocation: Chapter = {
  id: 'allocation',
  title: '6 · Reading the learned allocation',
  body: [
    'When the run finishes, the heatmap shows the measured fraction of zeros of every layer in every block. Uniform methods (Wanda, magnitude) would colour every cell the same. BESA spends its sparsity where the block output cares least: layers whose cell is darker than the target were pruned more, lighter ones were protected.',
    'The bars compare each layer type\'s mean with the uniform allocation. What θ learns sits a little under the target (the penalty is soft), and the reference code then rounds each row\'s count down. The default "final mask: match target" keeps the learned allocation but shifts every row by the same small amount and rounds so that each block prunes exactly the target; "reference (floor)" shows what the released code would have pruned.',
    'Then check the price in perplexity (dense vs pruned), and try Compare to run Wanda, SparseGPT and magnitude on the same calibration windows.',
  ],
  watch: 'The heatmap (blocks × layers) and the allocation bars.',
  highlight: 'heatmap',
  action: { kind: 'run' },
  actionLabel: 'Run to the end',
};
