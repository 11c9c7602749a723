// NaN/Inf guards of the pruning run (docs/reliability.md): a non-finite value anywhere in the chain
// (calibration activations, a block's dense or pruned output, the pruned weights, BESA's loss, θ or
// the optimiser state) stops the run at once with a message naming where it appeared and what to
// change, instead of being carried into the next blocks and the export. The blocks committed before
// it stay in the checkpoint. The checks are linear scans of arrays the host already holds (a few ms per
// block at the default sizes).

export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
}

/** Index of the first NaN/±Inf in a, or −1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/**
 * Throws NonFiniteError when one of `arrays` holds a non-finite value. `where` names the place
 * ("block 3: the pruned block's output"), `advice` says what to change.
 */
export function assertFinite(where: string, arrays: ArrayLike<number>[], advice: string): void {
  for (let k = 0; k < arrays.length; k++) {
    const j = firstNonFinite(arrays[k]);
    if (j >= 0) {
      const at = arrays.length > 1 ? `array ${k}, element ${j}` : `element ${j}`;
      throw new NonFiniteError(`${where} holds ${String(arrays[k][j])} (${at}). ${advice}`);
    }
  }
}

/** What to do when the model itself produces non-finite values (dense weights or activations). */
export const MODEL_ADVICE =
  'The model produces it before any pruning: check the checkpoint (a half-precision file can overflow; convert it to f32) and the calibration text.';
/** What to do when BESA's learning diverges. */
export const BESA_ADVICE =
  'The learned allocation diverged: lower d_coef (Prodigy), or use Adam with a smaller learning rate, or prune from f32 weights.';
