// Importance metric and sort order (docs/besa.md §1.2, SparseLinear.add_batch / get_w_metric).
import { checkLen, type Vec } from '../ops/vec';

/**
 * Wanda input statistic, a running mean over sequences of Σ_t x_t² (add_batch):
 *   scaler *= n/(n+B); n += B; scaler += ||x_j||² / n
 */
export class WandaStats {
  readonly scalerRow: Float64Array; // [In]
  nsamples = 0;
  constructor(readonly cols: number) {
    this.scalerRow = new Float64Array(cols);
  }
  /** x is [tokens, In] holding `nseq` sequences (the hook's batch dimension). */
  addBatch(x: Vec, tokens: number, nseq = 1): void {
    checkLen('WandaStats.addBatch', 'x', x, tokens * this.cols);
    const C = this.cols;
    const shrink = this.nsamples / (this.nsamples + nseq);
    this.nsamples += nseq;
    for (let j = 0; j < C; j++) {
      let ss = 0;
      for (let t = 0; t < tokens; t++) ss += x[t * C + j] * x[t * C + j];
      this.scalerRow[j] = this.scalerRow[j] * shrink + ss / this.nsamples;
    }
  }
}

export type MetricType = 'wanda' | 'weight';

/**
 * S[Out,In]: 'wanda' = |W|·sqrt(scaler_row) (broadcast over rows), 'weight' = |W|. Each product is
 * rounded to f32 like the torch fp32 tensor, so near-ties order the same way as the reference.
 */
export function importance(
  w: Vec /*[Out,In]*/,
  Out: number,
  In: number,
  metric: MetricType,
  scalerRow?: Vec | null /*[In]*/,
): Float32Array /*[Out,In]*/ {
  checkLen('importance', 'w', w, Out * In);
  if (metric === 'wanda' && !scalerRow)
    throw new Error("importance: metric 'wanda' needs scalerRow (WandaStats.scalerRow); use 'weight' for |W|");
  checkLen('importance', 'scalerRow', scalerRow, In);
  const S = new Float32Array(Out * In);
  const sq = new Float32Array(In);
  if (metric === 'wanda') for (let j = 0; j < In; j++) sq[j] = Math.sqrt(Math.fround(scalerRow![j]));
  for (let o = 0; o < Out; o++)
    for (let j = 0; j < In; j++) {
      const a = Math.abs(w[o * In + j]);
      S[o * In + j] = metric === 'wanda' ? a * sq[j] : a;
    }
  return S;
}

/**
 * BESA's per-row sort order [rows, cols]: column indices, 16-bit when every column fits (cols ≤ 65536, every
 * model we meet), which halves a block's largest piece of BESA state on the host (docs/real-models.md §2).
 */
export type SortOrder = Uint16Array | Int32Array;

/** Stable ascending argsort of each row (torch.sort(S, dim=-1, stable=True)[1]); position 0 = least important. */
export function argsortRows(S: Vec /*[rows,cols]*/, rows: number, cols: number): SortOrder /*[rows,cols]*/ {
  checkLen('argsortRows', 'S', S, rows * cols);
  const idx = cols <= 65536 ? new Uint16Array(rows * cols) : new Int32Array(rows * cols);
  const order = new Array<number>(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let j = 0; j < cols; j++) order[j] = j;
    // Array.prototype.sort is stable (ES2019), so ties keep index order like torch's stable sort.
    order.sort((a, b) => S[base + a] - S[base + b]);
    for (let j = 0; j < cols; j++) idx[base + j] = order[j];
  }
  return idx;
}
