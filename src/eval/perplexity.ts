// Perplexity, docs/besa.md §5 protocol exactly (Wanda eval_ppl_wikitext / SparseGPT llama_eval / BESA eval_ppl,
// and tools/train.py eval_ppl which produced eval.json):
//   nwin = floor(len(ids) / seqlen)                 non-overlapping windows, remainder dropped, no per-window BOS
//   loss_w = mean CE(logits[:-1], x[1:])            seqlen − 1 predictions per window
//   nll_w  = loss_w · seqlen                        QUIRK: × seqlen, not × (seqlen − 1) — the reference code
//                                                   multiplies the mean loss by the window length; we keep it so
//                                                   our numbers are comparable with the papers' and eval.json
//   ppl    = exp(Σ nll_w / (nwin · seqlen))
// Because every window gets the same weight the quirk cancels out here (ppl = exp(mean_w loss_w)), but it is
// written out as in the reference so a change of weighting cannot slip in unnoticed.

import { ShapeError } from '../core/errors';
import { evalWindows } from '../data/windows';
import type { ForwardLogits } from '../model/forward';

export interface PerplexityResult {
  ppl: number;
  /** Windows evaluated (all of them unless maxWindows limited the run). */
  windows: number;
  seqlen: number;
  /** Tokens in the tokenised corpus (as tools/train.py's eval.json "tokens"). */
  tokens: number;
  dataset: string;
  /** Σ nll_w / (windows · seqlen): the log of ppl. */
  meanNll: number;
  /** loss_w (mean CE) of each evaluated window, in order. */
  windowLosses: number[];
  /** True when maxWindows stopped before the protocol's nwin: then ppl is NOT the protocol number. */
  truncated: boolean;
}

export interface PerplexityOptions {
  dataset: string;
  /** Evaluate only the first k windows (slow CPU runs); the result says truncated. */
  maxWindows?: number;
  onWindow?: (done: number, total: number, runningPpl: number) => void;
}

/** Mean next-token cross-entropy of one window: logits [T, V] predict x[1:] (f64 log-sum-exp). */
export function windowMeanCe(logits: Float32Array, x: Int32Array, V: number): number {
  const T = x.length;
  if (logits.length !== T * V)
    throw new ShapeError(`perplexity: logits have ${logits.length} values, expected T·V = ${T}·${V}; the forward returned the wrong shape`);
  let sum = 0;
  for (let t = 0; t < T - 1; t++) {
    const o = t * V;
    let mx = -Infinity;
    for (let v = 0; v < V; v++) if (logits[o + v] > mx) mx = logits[o + v];
    let se = 0;
    for (let v = 0; v < V; v++) se += Math.exp(logits[o + v] - mx);
    sum += mx + Math.log(se) - logits[o + x[t + 1]];
  }
  return sum / (T - 1);
}

export async function perplexity(
  ids: Int32Array,
  seqlen: number,
  vocabSize: number,
  forwardLogits: ForwardLogits,
  opts: PerplexityOptions,
): Promise<PerplexityResult> {
  const all = evalWindows(ids, seqlen);
  const wins = opts.maxWindows !== undefined ? all.slice(0, Math.max(1, opts.maxWindows)) : all;
  let nllSum = 0;
  const windowLosses: number[] = [];
  const add = (lossW: number) => {
    windowLosses.push(lossW);
    nllSum += lossW * seqlen; // the ×seqlen quirk (see header)
    opts.onWindow?.(windowLosses.length, wins.length, Math.exp(nllSum / (windowLosses.length * seqlen)));
  };
  if (forwardLogits.windowLosses) await forwardLogits.windowLosses(wins, (_, lossW) => add(lossW));
  else for (const w of wins) add(windowMeanCe(await forwardLogits(w), w, vocabSize));
  const meanNll = nllSum / (wins.length * seqlen);
  return {
    ppl: Math.exp(meanNll),
    windows: wins.length,
    seqlen,
    tokens: ids.length,
    dataset: opts.dataset,
    meanNll,
    windowLosses,
    truncated: wins.length < all.length,
  };
}
