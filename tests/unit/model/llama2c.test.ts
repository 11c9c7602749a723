import { describe, expect, it } from 'vitest';
import { CorruptFileError, TruncatedFileError, UnsupportedModelTypeError } from '../../../src/model/errors';
import { convertRopeLayout, permuteRopeRows } from '../../../src/model/hfweights';
import { parseLlama2c, parseLlama2cHeader, writeLlama2c } from '../../../src/model/llama2c';
import { parseLlama2cTokenizer, writeLlama2cTokenizer } from '../../../src/model/llama2cTokenizer';
import { spmLlama2cPieces, spmVocab } from './helpers';
import { randomWeights, SPEC_SHAPES, tinyModelSpec } from '../../support/specs';
import { linearOf } from '../../../src/model/spec';

describe('llama2.c checkpoint', () => {
  for (const tied of [true, false]) {
    it(`round-trips through the writer (${tied ? 'shared' : 'unshared'} classifier)`, () => {
      const spec = tinyModelSpec({ ...SPEC_SHAPES.llama2c, tiedEmbeddings: tied, maxSeqLen: 17 });
      const w = randomWeights(spec, 3);
      const bytes = writeLlama2c(spec, w);
      const hdr = new DataView(bytes.buffer);
      expect(hdr.getInt32(20, true)).toBe(tied ? spec.vocabSize : -spec.vocabSize);
      const { spec: s2, weights: w2 } = parseLlama2c(bytes);
      expect(s2).toEqual({ ...spec, ropeTheta: 10000, normEps: 1e-5 });
      expect(w2.embed).toEqual(w.embed);
      expect(w2.lmHead).toEqual(w.lmHead);
      expect(tied ? w2.lmHead === w2.embed : w2.lmHead !== w2.embed).toBe(true);
      w.blocks.forEach((b, l) => {
        for (const n of ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const) expect(linearOf(w2.blocks[l], n).w).toEqual(linearOf(b, n).w);
        expect(w2.blocks[l].mlpNorm).toEqual(b.mlpNorm);
      });
      expect(w2.finalNorm).toEqual(w.finalNorm);
      // freq_cis_real at (t=3, j=1) = cos(3 · 10000^(-2/6)), as llama2.c precompute_freqs_cis
      const C = spec.dim,
        L = spec.nLayers,
        kv = spec.nKvHeads * spec.headDim,
        F = spec.ffnDim,
        V = spec.vocabSize;
      const freqOff = 28 + 4 * (V * C + L * (2 * C + 2 * C * C + 2 * kv * C + 3 * F * C) + C);
      expect(hdr.getFloat32(freqOff + 4 * (3 * 3 + 1), true)).toBeCloseTo(Math.cos(3 * 10000 ** (-2 / 6)), 6);
    });
  }

  it('validates the header against the file size before reading weights', () => {
    const spec = tinyModelSpec(SPEC_SHAPES.llama2c);
    const bytes = writeLlama2c(spec, randomWeights(spec, 1));
    expect(() => parseLlama2c(bytes.subarray(0, 20))).toThrow(TruncatedFileError);
    expect(() => parseLlama2c(bytes.subarray(0, bytes.length - 4))).toThrow(TruncatedFileError);
    const extra = new Uint8Array(bytes.length + 4);
    extra.set(bytes);
    expect(() => parseLlama2c(extra)).toThrow(CorruptFileError);
    const badHeads = bytes.slice();
    new DataView(badHeads.buffer).setInt32(12, 5, true); // n_heads 5 does not divide dim 24
    expect(() => parseLlama2cHeader(badHeads)).toThrow(/not divisible/);
    const huge = bytes.slice();
    new DataView(huge.buffer).setInt32(0, 2 ** 30, true);
    expect(() => parseLlama2cHeader(huge)).toThrow(CorruptFileError);
    const v2 = writeLlama2c(spec, randomWeights(spec, 1), 1);
    new DataView(v2.buffer).setInt32(4, 2, true); // version 2 = int8 Q8_0
    expect(() => parseLlama2cHeader(v2)).toThrow(UnsupportedModelTypeError);
    expect(() => parseLlama2cHeader(v2.subarray(0, 100).map((b, i) => (i === 4 ? 1 : b)))).toThrow(TruncatedFileError);
  });

  for (const tied of [true, false]) {
    it(`reads version-1 ("ak42") files, ${tied ? 'shared' : 'unshared'} classifier, in export.py's order`, () => {
      const spec = tinyModelSpec({ ...SPEC_SHAPES.llama2c, tiedEmbeddings: tied });
      const w = randomWeights(spec, 12);
      const bytes = writeLlama2c(spec, w, 1);
      const dv = new DataView(bytes.buffer);
      expect(dv.getUint32(0, true)).toBe(0x616b3432);
      expect(bytes[36]).toBe(tied ? 1 : 0);
      // version1_export: rms_att[L], rms_ffn[L], rms_final, tok_embeddings, wq...
      const C = spec.dim,
        L = spec.nLayers;
      expect(dv.getFloat32(256, true)).toBe(w.blocks[0].attnNorm[0]);
      expect(dv.getFloat32(256 + 4 * L * C, true)).toBe(w.blocks[0].mlpNorm[0]);
      expect(dv.getFloat32(256 + 4 * 2 * L * C, true)).toBe(w.finalNorm[0]);
      expect(dv.getFloat32(256 + 4 * (2 * L * C + C), true)).toBe(w.embed[0]);
      const { spec: s2, weights: w2 } = parseLlama2c(bytes);
      expect(s2).toEqual(spec);
      expect(w2.blocks[1].down!.w).toEqual(w.blocks[1].down!.w);
      expect(w2.blocks[1].up!.w).toEqual(w.blocks[1].up!.w);
      expect(w2.lmHead).toEqual(w.lmHead);
      expect(() => parseLlama2c(bytes.subarray(0, bytes.length - 1))).toThrow(TruncatedFileError);
    });
  }
});

describe('RoPE layout permutation (llama2.c interleaved ⇄ HF rotate-half)', () => {
  it('moves interleaved pair (2j, 2j+1) of each head to rows (j, j + D/2) and back', () => {
    const H = 2,
      D = 6,
      cols = 3;
    const w = Float32Array.from({ length: H * D * cols }, (_, i) => i);
    const half = permuteRopeRows(w, H, D, cols, 'half');
    const row = (a: Float32Array, r: number) => Array.from(a.subarray(r * cols, (r + 1) * cols));
    for (let h = 0; h < H; h++)
      for (let j = 0; j < D / 2; j++) {
        expect(row(half, h * D + j)).toEqual(row(w, h * D + 2 * j));
        expect(row(half, h * D + j + D / 2)).toEqual(row(w, h * D + 2 * j + 1));
      }
    expect(permuteRopeRows(half, H, D, cols, 'interleaved')).toEqual(w);
    const spec = tinyModelSpec({ ropeLayout: 'interleaved', qkvBias: true });
    const wts = randomWeights(spec, 2);
    const { spec: s2, weights: w2 } = convertRopeLayout(spec, wts, 'half');
    expect(s2.ropeLayout).toBe('half');
    expect(w2.blocks[0].v).toBe(wts.blocks[0].v); // only q/k move
    expect(w2.blocks[0].k.b).toEqual(permuteRopeRows(wts.blocks[0].k.b!, spec.nKvHeads, spec.headDim, 1, 'half'));
  });
});

describe('llama2.c tokenizer.bin', () => {
  const tok = parseLlama2cTokenizer(writeLlama2cTokenizer(spmLlama2cPieces()));
  const V = spmVocab();
  const id = (p: string) => V.indexOf(p);

  it('reads every piece and score back', () => {
    expect(tok.vocabSize).toBe(V.length);
    expect(tok.scores[id('▁the')]).toBe(-2);
    expect(tok.maxTokenLength).toBe(Math.max(...spmLlama2cPieces().map((p) => new TextEncoder().encode(p.piece as string).length)));
  });

  it('encodes like run.c: dummy prefix, highest-score merges first, byte fallback', () => {
    expect(tok.encode('the world')).toEqual([id('▁the'), id('▁world')]);
    expect(tok.encode('x\n')).toEqual([id('▁'), id('x'), 3 + 0x0a]);
    expect(tok.encode('and', { addSpecialTokens: true })).toEqual([1, id('▁and')]);
    expect(tok.encode('Ω')).toEqual([id('▁'), 3 + 0xce, 3 + 0xa9]); // U+03A9 = CE A9, not in vocab
    expect(tok.encode('')).toEqual([]);
  });

  it('decodes back to the text (bytes reassembled, prefix space stripped, BOS/EOS skipped)', () => {
    for (const s of ['the world', 'hello, wörld! Ω 😀 tabs\tand  spaces', 'x', ' leading space', 'Thé end.\n']) {
      expect(tok.decode(tok.encode(s))).toBe(s);
      expect(tok.decode([1, ...tok.encode(s), 2])).toBe(s);
    }
  });

  it('rejects damaged files with named errors', () => {
    const b = writeLlama2cTokenizer(spmLlama2cPieces());
    expect(() => parseLlama2cTokenizer(b.subarray(0, b.length - 2))).toThrow(TruncatedFileError);
    const bad = b.slice();
    new DataView(bad.buffer).setInt32(8, 9999, true); // first token length > max_token_length
    expect(() => parseLlama2cTokenizer(bad)).toThrow(CorruptFileError);
    expect(() => parseLlama2cTokenizer(new Uint8Array([0, 0, 0, 0]))).toThrow(CorruptFileError);
  });
});
