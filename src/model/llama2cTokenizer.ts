// llama2.c `tokenizer.bin` (written by llama2.c tokenizer.py export): int32 max_token_length, then per
// token: f32 score, int32 byte length, bytes. Pieces use ' ' where SentencePiece has '▁'; bytes are
// pieces "<0x00>".."<0xFF>". The count is not stored (run.c gets it from the model), so we read to EOF
// and the loader compares it with the model's vocab_size.
// encode() = run.c `encode`: dummy-prefix " ", one token per UTF-8 code point (byte fallback for
// unknown ones), then repeatedly merge the adjacent pair whose concatenation has the highest score
// (leftmost on ties). A heap + linked list does that in O(n log n) with the same merge order.

import { CorruptFileError, TruncatedFileError } from './errors';
import type { EncodeOptions, Tokenizer } from './tokenizer';

export interface Llama2cPiece {
  piece: string | Uint8Array; // strings are written as UTF-8
  score: number;
}

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
};

export class Llama2cTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bos = 1;
  readonly eos = 2;
  /** Pieces as "binary strings" (one char per byte) so concatenation = byte concatenation. */
  private readonly pieces: string[];
  private readonly ids = new Map<string, number>();
  private readonly byteId: Int32Array; // byte value → id of "<0xXX>", or -1

  constructor(
    pieces: Uint8Array[],
    readonly scores: Float32Array,
    readonly maxTokenLength: number,
  ) {
    this.vocabSize = pieces.length;
    this.pieces = pieces.map(latin1);
    // First occurrence wins, like run.c's bsearch over a stable-sorted vocab.
    this.pieces.forEach((p, i) => this.ids.has(p) || this.ids.set(p, i));
    this.byteId = new Int32Array(256).fill(-1);
    for (let b = 0; b < 256; b++) this.byteId[b] = this.ids.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`) ?? -1;
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    const bytes = new TextEncoder().encode(text);
    const toks: number[] = [];
    const pushBytes = (from: number, to: number) => {
      const id = this.ids.get(latin1(bytes.subarray(from, to)));
      if (id !== undefined) return void toks.push(id);
      for (let i = from; i < to; i++) {
        const b = this.byteId[bytes[i]];
        if (b < 0)
          throw new CorruptFileError(
            'tokenizer.bin',
            `has no byte-fallback token <0x${bytes[i].toString(16).toUpperCase()}> to encode this text`,
            'Use the tokenizer.bin exported with the model.',
          );
        toks.push(b);
      }
    };
    if (bytes.length > 0) {
      const sp = this.ids.get(' ');
      if (sp !== undefined) toks.push(sp);
      else if (this.byteId[32] >= 0) toks.push(this.byteId[32]);
    }
    for (let i = 0; i < bytes.length;) {
      let j = i + 1; // extend over UTF-8 continuation bytes (10xxxxxx), at most 4 bytes per code point
      while (j < bytes.length && (bytes[j] & 0xc0) === 0x80 && j - i < 4) j++;
      pushBytes(i, j);
      i = j;
    }
    const merged = this.merge(toks);
    return opts.addSpecialTokens ? [this.bos, ...merged] : merged;
  }

  private merge(toks: number[]): number[] {
    const n = toks.length;
    const id = Int32Array.from(toks);
    const next = Int32Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
    const prev = Int32Array.from({ length: n }, (_, i) => i - 1);
    const alive = new Uint8Array(n).fill(1);
    // heap of candidate merges: [score, left position, left id, right id, merged id]
    type Cand = [number, number, number, number, number];
    const heap: Cand[] = [];
    const better = (a: Cand, b: Cand) => a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]);
    const push = (c: Cand) => {
      heap.push(c);
      for (let i = heap.length - 1; i > 0;) {
        const p = (i - 1) >> 1;
        if (!better(heap[i], heap[p])) break;
        [heap[i], heap[p]] = [heap[p], heap[i]];
        i = p;
      }
    };
    const pop = (): Cand => {
      const top = heap[0];
      const last = heap.pop()!;
      if (heap.length) {
        heap[0] = last;
        for (let i = 0; ;) {
          const l = 2 * i + 1,
            r = l + 1;
          let m = i;
          if (l < heap.length && better(heap[l], heap[m])) m = l;
          if (r < heap.length && better(heap[r], heap[m])) m = r;
          if (m === i) break;
          [heap[i], heap[m]] = [heap[m], heap[i]];
          i = m;
        }
      }
      return top;
    };
    const consider = (i: number) => {
      const j = next[i];
      if (i < 0 || j < 0) return;
      const m = this.ids.get(this.pieces[id[i]] + this.pieces[id[j]]);
      if (m !== undefined) push([this.scores[m], i, id[i], id[j], m]);
    };
    for (let i = 0; i < n - 1; i++) consider(i);
    while (heap.length) {
      const [, i, a, b, m] = pop();
      const j = next[i];
      if (!alive[i] || j < 0 || id[i] !== a || id[j] !== b) continue; // stale candidate
      id[i] = m;
      alive[j] = 0;
      next[i] = next[j];
      if (next[j] >= 0) prev[next[j]] = i;
      consider(prev[i]);
      consider(i);
    }
    const out: number[] = [];
    for (let i = n > 0 ? 0 : -1; i >= 0; i = next[i]) out.push(id[i]);
    return out;
  }

  /** SentencePiece-style decode: bytes of the pieces, "<0xXX>" → that byte, BOS/EOS dropped, and the
   * dummy-prefix space removed at the start and after BOS (run.c strips it after BOS). */
  decode(ids: readonly number[]): string {
    const out: number[] = [];
    let atStart = true;
    for (const t of ids) {
      if (t === this.bos || t === this.eos) {
        atStart = t === this.bos;
        continue;
      }
      const p = this.pieces[t];
      if (p === undefined) continue;
      const byte = /^<0x([0-9A-F]{2})>$/.exec(p);
      const codes = byte ? [parseInt(byte[1], 16)] : Array.from(p, (c) => c.charCodeAt(0));
      if (atStart && codes[0] === 32) codes.shift();
      atStart = false;
      for (const c of codes) out.push(c);
    }
    return new TextDecoder('utf-8').decode(Uint8Array.from(out));
  }
}

export function parseLlama2cTokenizer(bytes: Uint8Array, file = 'tokenizer.bin'): Llama2cTokenizer {
  if (bytes.length < 4) throw new TruncatedFileError(file, 4, bytes.length, 'max_token_length');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const maxLen = dv.getInt32(0, true);
  if (maxLen <= 0 || maxLen > 65536)
    throw new CorruptFileError(file, `max_token_length ${maxLen} is not plausible`, 'This is not a llama2.c tokenizer.bin.');
  const pieces: Uint8Array[] = [];
  const scores: number[] = [];
  for (let off = 4; off < bytes.length;) {
    if (off + 8 > bytes.length) throw new TruncatedFileError(file, off + 8, bytes.length, `token ${pieces.length}`);
    const score = dv.getFloat32(off, true);
    const len = dv.getInt32(off + 4, true);
    if (len < 0 || len > maxLen)
      throw new CorruptFileError(
        file,
        `token ${pieces.length} has length ${len} (max_token_length is ${maxLen})`,
        'This is not a llama2.c tokenizer.bin, or it is damaged.',
      );
    if (off + 8 + len > bytes.length) throw new TruncatedFileError(file, off + 8 + len, bytes.length, `token ${pieces.length}`);
    if (!Number.isFinite(score)) throw new CorruptFileError(file, `token ${pieces.length} has a non-finite score`);
    pieces.push(bytes.slice(off + 8, off + 8 + len));
    scores.push(score);
    off += 8 + len;
  }
  if (pieces.length < 3)
    throw new CorruptFileError(file, `has only ${pieces.length} tokens`, 'A llama2.c tokenizer has at least <unk>, <s>, </s>.');
  return new Llama2cTokenizer(pieces, Float32Array.from(scores), maxLen);
}

export function writeLlama2cTokenizer(pieces: readonly Llama2cPiece[]): Uint8Array {
  const enc = pieces.map((p) => (typeof p.piece === 'string' ? new TextEncoder().encode(p.piece) : p.piece));
  const maxLen = Math.max(1, ...enc.map((e) => e.length));
  const out = new Uint8Array(4 + enc.reduce((s, e) => s + 8 + e.length, 0));
  const dv = new DataView(out.buffer);
  dv.setInt32(0, maxLen, true);
  let off = 4;
  enc.forEach((e, i) => {
    dv.setFloat32(off, pieces[i].score, true);
    dv.setInt32(off + 4, e.length, true);
    out.set(e, off + 8);
    off += 8 + e.length;
  });
  return out;
}
