// Corpus text → token ids, eval windows and seeded calibration samples (docs/besa.md §5).

import { Rng } from '../core/rng';
import type { Tokenizer } from '../model/tokenizer';

export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/**
 * Tokenise a whole corpus in one call, as the eval protocol does (docs/besa.md §5: `tokenizer(text)` on the
 * joined text). addSpecialTokens=false (default) matches tools/train.py (no BOS anywhere);
 * true mirrors the HF LLaMA protocol of the papers (one BOS at the very start only).
 */
export function tokenizeCorpus(tokenizer: Tokenizer, text: string, opts: { addSpecialTokens?: boolean } = {}): Int32Array {
  return Int32Array.from(tokenizer.encode(text, { addSpecialTokens: opts.addSpecialTokens ?? false }));
}

/** Non-overlapping windows [w·seqlen, (w+1)·seqlen), remainder dropped (docs/besa.md §5). Views, not copies. */
export function evalWindows(ids: Int32Array, seqlen: number): Int32Array[] {
  if (!Number.isInteger(seqlen) || seqlen < 2) throw new DataError(`seqlen must be an integer >= 2, got ${seqlen}`);
  const n = Math.floor(ids.length / seqlen);
  if (n === 0)
    throw new DataError(
      `the corpus has ${ids.length} tokens, fewer than one window of seqlen ${seqlen}; use a longer text or a smaller seqlen`,
    );
  return Array.from({ length: n }, (_, w) => ids.subarray(w * seqlen, (w + 1) * seqlen));
}

export interface CalibrationSet {
  /** [nsamples, seqlen] row-major. */
  ids: Int32Array;
  nsamples: number;
  seqlen: number;
  seed: number;
  /** Start offset of each sample (in the stream, or in its document for the docs variant). */
  starts: number[];
  /** Document index of each sample (docs variant only). */
  docs?: number[];
}

/**
 * nsamples random windows of seqlen tokens from one token stream: start s uniform in
 * [0, len − seqlen − 1] like docs/besa.md §5's `random.randint(0, len(enc) − seqlen − 1)`, drawn with our
 * seeded Rng (not Python's MT19937, so the windows differ from the Python repos but are reproducible).
 */
export function sampleCalibration(ids: Int32Array, nsamples: number, seqlen: number, seed: number): CalibrationSet {
  checkCounts(nsamples, seqlen);
  if (ids.length <= seqlen)
    throw new DataError(
      `calibration text has ${ids.length} tokens; it needs more than seqlen ${seqlen}. Use a longer text or a smaller seqlen`,
    );
  const rng = new Rng(seed);
  const out = new Int32Array(nsamples * seqlen);
  const starts: number[] = [];
  for (let i = 0; i < nsamples; i++) {
    const s = rng.int(ids.length - seqlen);
    starts.push(s);
    out.set(ids.subarray(s, s + seqlen), i * seqlen);
  }
  return { ids: out, nsamples, seqlen, seed, starts };
}

/**
 * The C4 loop of docs/besa.md §5 over tokenised documents: pick a random document until one is longer than
 * seqlen, then a random window inside it.
 */
export function sampleCalibrationFromDocs(docs: readonly Int32Array[], nsamples: number, seqlen: number, seed: number): CalibrationSet {
  checkCounts(nsamples, seqlen);
  if (!docs.some((d) => d.length > seqlen))
    throw new DataError(`no document has more than seqlen ${seqlen} tokens; use longer documents or a smaller seqlen`);
  const rng = new Rng(seed);
  const out = new Int32Array(nsamples * seqlen);
  const starts: number[] = [];
  const picked: number[] = [];
  for (let i = 0; i < nsamples; i++) {
    let d: number;
    do d = rng.int(docs.length);
    while (docs[d].length <= seqlen);
    const s = rng.int(docs[d].length - seqlen);
    starts.push(s);
    picked.push(d);
    out.set(docs[d].subarray(s, s + seqlen), i * seqlen);
  }
  return { ids: out, nsamples, seqlen, seed, starts, docs: picked };
}

function checkCounts(nsamples: number, seqlen: number): void {
  if (!Number.isInteger(nsamples) || nsamples < 1) throw new DataError(`nsamples must be a positive integer, got ${nsamples}`);
  if (!Number.isInteger(seqlen) || seqlen < 2) throw new DataError(`seqlen must be an integer >= 2, got ${seqlen}`);
}
