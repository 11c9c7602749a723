import { describe, expect, it } from 'vitest';
import { DataError, evalWindows, sampleCalibration, sampleCalibrationFromDocs, tokenizeCorpus } from '../../../src/data/windows';
import { parseHfTokenizer } from '../../../src/model/tokenizer';
import { enc, spmTokenizerJson } from '../model/helpers';

const stream = Int32Array.from({ length: 1000 }, (_, i) => i);

describe('eval windows (spec §5)', () => {
  it('are non-overlapping, seqlen long, remainder dropped', () => {
    const w = evalWindows(stream, 128);
    expect(w).toHaveLength(7); // floor(1000 / 128)
    w.forEach((x, i) => {
      expect(x.length).toBe(128);
      expect(x[0]).toBe(i * 128);
      expect(x[127]).toBe(i * 128 + 127);
    });
    expect(w[6][127]).toBe(895); // tokens 896..999 dropped
    expect(() => evalWindows(stream.subarray(0, 10), 128)).toThrow(DataError);
  });
});

describe('calibration sampling', () => {
  it('is reproducible for a seed, differs across seeds, and stays inside the stream', () => {
    const a = sampleCalibration(stream, 16, 100, 0);
    const b = sampleCalibration(stream, 16, 100, 0);
    const c = sampleCalibration(stream, 16, 100, 1);
    expect(a.ids).toEqual(b.ids);
    expect(a.starts).toEqual(b.starts);
    expect(c.starts).not.toEqual(a.starts);
    expect(a.ids.length).toBe(16 * 100);
    a.starts.forEach((s, i) => {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1000 - 100 - 1); // randint(0, len - seqlen - 1)
      // each sample is a contiguous window of the stream starting at s
      expect(Array.from(a.ids.subarray(i * 100, i * 100 + 100))).toEqual(Array.from({ length: 100 }, (_, k) => s + k));
    });
    expect(() => sampleCalibration(stream.subarray(0, 100), 1, 100, 0)).toThrow(DataError);
  });

  it('spreads starts over the whole admissible range', () => {
    const s = sampleCalibration(stream, 2000, 10, 3).starts;
    expect(Math.min(...s)).toBe(0);
    expect(Math.max(...s)).toBe(1000 - 10 - 1);
  });

  it('docs variant skips documents that are too short (C4 loop)', () => {
    const docs = [
      Int32Array.from({ length: 5 }, () => -1),
      Int32Array.from({ length: 300 }, (_, i) => 1000 + i),
      Int32Array.from({ length: 50 }, () => -2),
      Int32Array.from({ length: 200 }, (_, i) => 5000 + i),
    ];
    const a = sampleCalibrationFromDocs(docs, 20, 64, 9);
    expect(a).toEqual(sampleCalibrationFromDocs(docs, 20, 64, 9));
    expect(new Set(a.docs)).toEqual(new Set([1, 3]));
    expect(Array.from(a.ids).every((v) => v >= 1000)).toBe(true);
    expect(() => sampleCalibrationFromDocs([docs[0]], 1, 64, 0)).toThrow(DataError);
  });
});

describe('corpus tokenisation', () => {
  it('encodes the whole text in one call, BOS only on request and only at the start', () => {
    const tok = parseHfTokenizer(enc(spmTokenizerJson()));
    const text = 'the world\n\nand the rest';
    expect(Array.from(tokenizeCorpus(tok, text))).toEqual(tok.encode(text));
    const withBos = tokenizeCorpus(tok, text, { addSpecialTokens: true });
    expect(withBos[0]).toBe(1);
    expect(Array.from(withBos).filter((t) => t === 1)).toHaveLength(1);
  });
});
