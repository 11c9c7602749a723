// What the pipeline records about each completed block (events, checkpoints, run report).
import { recordLinearNames, type LinearName } from '../model/spec';
import type { LayerSparsity } from './events';

export interface LayerCount {
  rows: number;
  cols: number;
  zeros: number; // counted in the applied weights (docs/besa.md §1.8: report the measured zeros)
}

export interface BlockSummary {
  block: number;
  layers: Record<LinearName, LayerCount>;
  layerSparsity: LayerSparsity; // zeros / numel per linear
  blockSparsity: number; // Σ zeros / Σ numel over the block's linears
  /** BESA: expected sparsity from the final θ (docs/besa.md §1.4); absent for one-shot methods. */
  expectedSparsity?: LayerSparsity;
  /** BESA: block sparsity the reference rule floor(s_row·C) gives from the final θ (docs/besa.md §1.5). */
  referenceMaskSparsity?: number;
  /** BESA 'match-target': common shift added to the learned row sparsities before rounding. */
  matchShift?: number;
  /** BESA: L_rec of the first optimiser step (θ = 0 masks); one-shot: equals lossAfter. */
  lossBefore: number;
  /** Mean over calibration samples of L_rec(pruned block on X_p, Y_ref) (docs/besa.md §1.6 loss, final masks). */
  lossAfter: number;
  steps: number;
  seconds: number;
  /** SparseGPT OBS error per linear (the reference's printed "error"). */
  obsLoss?: Partial<Record<LinearName, number>>;
}

export function countZeros(w: Float32Array): number {
  let z = 0;
  for (let i = 0; i < w.length; i++) if (w[i] === 0) z++;
  return z;
}

export function measureBlock(
  weights: Record<LinearName, { w: Float32Array; out: number; in: number }>,
): Pick<BlockSummary, 'layers' | 'layerSparsity' | 'blockSparsity'> {
  const layers = {} as Record<LinearName, LayerCount>;
  const layerSparsity = {} as LayerSparsity;
  let zeros = 0;
  let numel = 0;
  for (const n of recordLinearNames(weights)) {
    const l = weights[n];
    const z = countZeros(l.w);
    layers[n] = { rows: l.out, cols: l.in, zeros: z };
    layerSparsity[n] = z / l.w.length;
    zeros += z;
    numel += l.w.length;
  }
  return { layers, layerSparsity, blockSparsity: zeros / numel };
}

/** Achieved sparsity over all pruned linears of all blocks (zeros counted). */
export function overallSparsity(blocks: readonly BlockSummary[]): number {
  let z = 0;
  let n = 0;
  for (const b of blocks)
    for (const name of recordLinearNames(b.layers)) {
      z += b.layers[name].zeros;
      n += b.layers[name].rows * b.layers[name].cols;
    }
  return n ? z / n : 0;
}
