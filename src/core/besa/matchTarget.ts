// Final-mask rule 'match-target' (our addition; the reference code has no such step, docs/besa.md §1.8).
//
// The reference applies M_hard with n_r = floor(s_r·C) from the final θ. Two things make that land
// under α̂ when zeros are counted: the sparsity penalty is soft (λ = 5, the reconstruction term pulls
// the block below α̂, most in early blocks), and the floor drops up to one weight per row (≈ 1.5 pp
// for 32-wide rows). 'match-target' keeps the learned allocation and the learning itself untouched
// and only changes how the final per-row counts are rounded:
//   1. shift every row's learned sparsity by one common Δ, f_r = clamp(s_r + Δ, 0, 1)·C_r, with Δ
//      chosen by bisection so that Σ_r f_r = K = round(α̂ · Σ numel) over the block's 7 linears;
//   2. largest-remainder rounding: n_r = floor(f_r), then the K − Σ n_r rows with the largest
//      fractional parts prune one weight more (ties: earlier layer, then earlier row).
// So a row-wise block prunes exactly K weights, rows that learned a higher sparsity never prune a
// smaller fraction than rows of the same width that learned a lower one, and a row moves by |Δ|·C ± 1.
// Layer-wise (one θ per linear) the unit is the whole linear, so every row of a linear keeps one count.
import { groupSize } from './masks';

export interface LayerAllocation {
  /** Learned sparsity per logit row g (row-wise: one per output row; layer-wise: one value), [G]. */
  s: ArrayLike<number>;
  rows: number;
  cols: number;
}

export class TargetCountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetCountError';
  }
}

/** Σ_r clamp(s_r + Δ, 0, 1)·C_r over every row of every layer (monotone non-decreasing in Δ). */
function shiftedTotal(layers: LayerAllocation[], delta: number): number {
  let t = 0;
  for (const l of layers) {
    const b = groupSize(l.rows, l.s.length);
    for (let g = 0; g < l.s.length; g++) t += b * Math.min(1, Math.max(0, l.s[g] + delta)) * l.cols;
  }
  return t;
}

/**
 * Prune counts per logit group, n_g (one Int32Array [G] per layer, every row of group g prunes n_g), for
 * hardMask(n, sortIdx, rows, cols). Row-wise (one group per row) the block total is exactly `targetCount`;
 * layer-wise keeps one count per linear, so the total can miss by less than one row of a linear.
 */
export function matchTargetCounts(layers: LayerAllocation[], targetCount: number): { counts: Int32Array[]; delta: number } {
  const total = layers.reduce((a, l) => a + l.rows * l.cols, 0);
  if (!Number.isInteger(targetCount) || targetCount < 0 || targetCount > total)
    throw new TargetCountError(
      `matchTargetCounts: target count ${targetCount} must be an integer in [0, ${total}] (the number of weights in the block)`,
    );
  // 1. bisection on the common shift Δ ∈ [−1, 1] (shiftedTotal(−1) = 0, shiftedTotal(1) = total)
  let lo = -1;
  let hi = 1;
  for (let it = 0; it < 200 && hi - lo > 1e-15; it++) {
    const mid = 0.5 * (lo + hi);
    if (shiftedTotal(layers, mid) < targetCount) lo = mid;
    else hi = mid;
  }
  const delta = hi;
  // 2. floor, then largest remainder; one unit = one more weight in each of the group's b rows
  const counts: Int32Array[] = [];
  const frac: { layer: number; g: number; b: number; f: number }[] = [];
  let missing = targetCount;
  layers.forEach((l, li) => {
    const b = groupSize(l.rows, l.s.length);
    const n = new Int32Array(l.s.length);
    for (let g = 0; g < l.s.length; g++) {
      const f = Math.min(1, Math.max(0, l.s[g] + delta)) * l.cols;
      n[g] = Math.floor(f);
      missing -= b * n[g];
      frac.push({ layer: li, g, b, f: f - n[g] });
    }
    counts.push(n);
  });
  if (missing > 0) {
    // stable sort: equal fractions keep layer/group order
    const order = frac.filter((x) => counts[x.layer][x.g] < layers[x.layer].cols).sort((a, b) => b.f - a.f);
    for (const x of order) {
      if (missing <= 0) break;
      if (x.b > missing) continue;
      counts[x.layer][x.g]++;
      missing -= x.b;
    }
  } else if (missing < 0) {
    // Σ f can exceed K by the bisection's last bit; undo from the smallest fractions
    const order = frac.filter((x) => counts[x.layer][x.g] > 0).sort((a, b) => a.f - b.f);
    for (const x of order) {
      if (missing >= 0) break;
      counts[x.layer][x.g]--;
      missing += x.b;
    }
  }
  return { counts, delta };
}
