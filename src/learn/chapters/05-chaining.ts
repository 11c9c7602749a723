import type { Chapter } from '../types';

export const chaining: Chapter = {
  id: 'chaining',
  title: '5 · Block by block',
  body: [
    "A whole model does not fit the learning problem at once, so BESA goes through the decoder blocks in order. For block i: run the dense block on the current inputs X_p to get the target and the statistics, learn θ for its 7 layers (one step per calibration sample), apply the final hard mask (W ← W ⊙ M, no other weight change), then compute the pruned block's output on X_p.",
    'That output becomes the input of block i+1. Later blocks therefore learn to reconstruct on top of the errors earlier blocks already made — the chain is the pruned model, not the dense one.',
    'After each block the studio saves the pruned weights and X_p in IndexedDB, so a reload or a lost GPU resumes from the last finished block.',
    "The button finishes block 1 and hands its output on. On a model with more blocks, block 2 then waits with block 1's pruned output as its input; on the 2-block micro model block 1 is the last one, so the run ends and the pruned model's perplexity is measured.",
  ],
  watch: 'The block timeline: grey = dense, amber = in progress, teal = pruned. Click a block to inspect its charts and mask.',
  highlight: 'timeline',
  action: { kind: 'block' },
  actionLabel: 'Finish block 1 and pass its output on',
};
