// Pure helpers of the per-row allocation view (RowAllocation.tsx): which cells a linear's strip draws and
// the colour domain. s_r is a row's expected sparsity Σ_d p_{r,d}·cand_d (docs/besa.md §1.4), [G] per linear.
import type { Linears } from '../../store/linears';

/** Above this many rows a strip averages consecutive rows into one cell (large user-picked models). */
export const MAX_CELLS = 2048;

export interface RowCell {
  /** Row indices the cell covers (one unless binned), in the linear's own output order. */
  rows: number[];
  value: number; // s (mean over `rows` when binned)
  first: number; // the same rows at the block's first step
}

/**
 * Cells of one strip. Unsorted: row r at position r, so a row keeps its place from step to step (and
 * matches the mask view's rows). Sorted: ascending s, i.e. the distribution of row sparsities.
 */
export function rowCells(s: ArrayLike<number>, first: ArrayLike<number>, sorted: boolean, maxCells = MAX_CELLS): RowCell[] {
  const order = Array.from({ length: s.length }, (_, i) => i);
  if (sorted) order.sort((a, b) => s[a] - s[b] || a - b);
  const per = Math.max(1, Math.ceil(order.length / maxCells));
  const out: RowCell[] = [];
  for (let k = 0; k < order.length; k += per) {
    const rows = order.slice(k, k + per);
    let v = 0;
    let f = 0;
    for (const r of rows) {
      v += s[r];
      f += first[r] ?? s[r];
    }
    out.push({ rows, value: v / rows.length, first: f / rows.length });
  }
  return out;
}

/** [lo, hi] of every row of every linear (the 'range' colour scale). */
export function valueRange(all: Iterable<ArrayLike<number>>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of all) {
    for (let i = 0; i < a.length; i++) {
      lo = Math.min(lo, a[i]);
      hi = Math.max(hi, a[i]);
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** Decimals that show the visible spread (rows differ in the 7th decimal after the first steps). */
export function digitsFor(lo: number, hi: number): number {
  return hi - lo < 1e-12 ? 4 : Math.min(9, Math.max(2, Math.ceil(-Math.log10(hi - lo)) + 1));
}

/** Position 0…1 of s on the colour scale; a degenerate range (every row equal, e.g. step 0) is the middle. */
export function scalePos(s: number, lo: number, hi: number): number {
  return hi - lo < 1e-12 ? 0.5 : Math.max(0, Math.min(1, (s - lo) / (hi - lo)));
}

/** Width in px of the strip names' column: 38 for LLaMA's short names, more for GPT-2's (attn.c_proj at 11 px). */
export function labelWidth(linears: Pick<Linears, 'labels'>): number {
  return Math.max(38, Math.ceil(10 + 6.4 * Math.max(...linears.labels.map((l) => l.length))));
}
