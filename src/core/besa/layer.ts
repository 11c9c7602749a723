// One BESA-wrapped linear (SparseLinear with learn_sparsity, docs/besa.md §1.3–§1.5) as plain data, plus the
// θ → (p, s, hard mask, soft mask) map. The engine keeps one of these per linear per block.
import { checkLen, type Vec } from '../ops/vec';
import { candidates, pruneCountsPerCandidate, type ArangeArith } from './candidates';
import { argsortRows, importance, type MetricType, type SortOrder } from './importance';
import { groupSize, hardMask, hardPruneCounts, softMask } from './masks';
import { mean, probabilities, rowSparsities } from './sparsity';

/** 'row' = one logit row per output row (--blocksize 1, paper default); 'layer' = one per linear
 * (--blocksize −1); a number b = one per b consecutive output rows. */
export type Granularity = 'row' | 'layer' | number;

export interface BesaLinear {
  rows: number; // Out
  cols: number; // In (row-wise sorting, --wise-dim row)
  G: number; // logit rows
  cand: Float32Array; // [D]
  kd: Int32Array; // [D] k_d = int(cols·cand_d)
  sortIdx: SortOrder; // [rows, cols] ascending importance
  theta: Float32Array; // [G, D], initialised to 0
  useSigmoid: boolean;
}

export interface BesaLinearOptions {
  granularity?: Granularity; // default 'row'
  metric?: MetricType; // default 'wanda'
  scalerRow?: Vec | null; // WandaStats.scalerRow, required for 'wanda'
  step?: number; // default 0.01
  arith?: ArangeArith; // default 'cpu'
  sigmoid?: boolean; // default true (sigmoid smoothing, docs/besa.md §1.4)
}

export function logitRows(rows: number, g: Granularity): number {
  const G = g === 'row' ? rows : g === 'layer' ? 1 : rows / g;
  groupSize(rows, G); // validates
  return G;
}

/** init_learn_sparsity: metric → per-row stable sort; θ = 0; k_d. */
export function initBesaLinear(w: Vec /*[rows,cols]*/, rows: number, cols: number, opts: BesaLinearOptions = {}): BesaLinear {
  checkLen('initBesaLinear', 'w', w, rows * cols);
  const cand = candidates(opts.step ?? 0.01, opts.arith ?? 'cpu');
  const G = logitRows(rows, opts.granularity ?? 'row');
  const S = importance(w, rows, cols, opts.metric ?? 'wanda', opts.scalerRow);
  return {
    rows,
    cols,
    G,
    cand,
    kd: pruneCountsPerCandidate(cols, cand),
    sortIdx: argsortRows(S, rows, cols),
    theta: new Float32Array(G * cand.length),
    useSigmoid: opts.sigmoid ?? true,
  };
}

export interface BesaLinearMasks {
  p: Float32Array; // [G, D]
  s: Float64Array; // [G] per-logit-row sparsity
  sparsity: number; // layer sparsity = mean_g s_g
  n: Int32Array; // [G] hard prune counts
  hard: Float32Array; // [rows, cols] M_hard (the STE mask's value)
  soft: Float32Array; // [rows, cols] P (carries the gradient)
}

/** update_sparsity + get_weight_mask + get_prob_mask for the current θ. */
export function besaLinearMasks(L: BesaLinear): BesaLinearMasks {
  const D = L.cand.length;
  const p = probabilities(L.theta, L.G, D, L.useSigmoid);
  const s = rowSparsities(p, L.cand, L.G);
  const n = hardPruneCounts(s, L.cols);
  return {
    p,
    s,
    sparsity: mean(s),
    n,
    hard: hardMask(n, L.sortIdx, L.rows, L.cols),
    soft: softMask(p, L.kd, L.sortIdx, L.rows, L.cols, L.G),
  };
}
