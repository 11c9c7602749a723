// 16-bit weights (src/model/weightArray.ts, docs/real-models.md §2): narrowing f32 → bf16/f16 must round
// like an independent implementation (tests/fixtures/halfs/rounding.json from tools/make_half_fixture.py:
// numpy's float16 cast, and exact nearest-bf16 comparison, ties to even); every 16-bit value must survive
// widen → narrow unchanged (so a pruned bf16 model's kept weights are exact); f32 storage is never copied.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bf16Bits,
  bytesOf,
  countZeros,
  PrunedHalfArray,
  f16Bits,
  halfArray,
  sliceToF32,
  storeLike,
  toF32,
  zeroFlags,
  type HalfDtype,
} from '../../../src/model/weightArray';
import { ROOT } from '../prune/engineFixture';
import { Rng } from '../../../src/core/rng';
import { linearForward } from '../../../src/core/ops/linear';
import { lmHeadCpu } from '../../../src/model/forward';

const fixture = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/halfs/rounding.json'), 'utf8')) as {
  rows: [number, number | null, number][];
};
const f32Of = (bits: number) => new Float32Array(new Uint32Array([bits]).buffer)[0];

describe('16-bit weight storage', () => {
  it(`rounds ${fixture.rows.length} f32 values to bf16 and f16 exactly as the independent reference`, () => {
    let bfChecked = 0;
    for (const [u, bf, h] of fixture.rows) {
      const x = f32Of(u);
      if (bf !== null) {
        expect(bf16Bits(x), `bf16 of ${x}`).toBe(bf);
        bfChecked++;
      }
      expect(f16Bits(x), `f16 of ${x}`).toBe(h);
    }
    expect(bfChecked).toBeGreaterThan(1300);
  });

  it.each(['BF16', 'F16'] as const)('every finite %s value widens and narrows back to the same bits', (dtype: HalfDtype) => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const wide = toF32(halfArray(dtype, all));
    const back = storeLike(halfArray(dtype, new Uint16Array(1)), wide);
    if (!('bits' in back)) throw new Error('expected 16-bit storage');
    let nan = 0;
    for (let i = 0; i < 65536; i++) {
      if (Number.isNaN(wide[i])) nan++;
      else if (back.bits[i] !== i) throw new Error(`${dtype} bits ${i.toString(16)} came back as ${back.bits[i].toString(16)}`);
    }
    expect(nan).toBe(dtype === 'BF16' ? 254 : 2046); // NaN payloads are not kept (one quiet NaN)
  });

  it('the LM head over 16-bit storage, widened 4096 rows at a time, equals the product with the whole head in f32', () => {
    const [T, C, V] = [3, 8, 10_001]; // three chunks, the last one partial
    const rng = new Rng(11);
    const head = storeLike(halfArray('BF16', new Uint16Array(0)), rng.normalArray(V * C, 1));
    const y = rng.normalArray(T * C, 1);
    expect(lmHeadCpu(y, head, T, C, V)).toEqual(linearForward(y, toF32(head), T, C, V));
  });

  it('a pruned 16-bit matrix is kept as the dense bits and a bitset (1/16 of a copy), with the same bits as a copy', () => {
    const rng = new Rng(5);
    const n = 1003;
    const dense = storeLike(halfArray('BF16', new Uint16Array(0)), rng.normalArray(n, 1));
    const x = toF32(dense).map((v, i) => (i % 3 === 0 ? v * 0 : v)); // W ⊙ M: -0 for negative weights
    const pruned = storeLike(dense, x);
    expect(pruned).toBeInstanceOf(PrunedHalfArray);
    expect(bytesOf(pruned)).toBe(Math.ceil(n / 8));
    const copy = new Uint16Array(n).map((_, i) => bf16Bits(x[i]));
    expect(Array.from((pruned as PrunedHalfArray).bits)).toEqual(Array.from(copy));
    expect(countZeros(pruned)).toBe(Math.ceil(n / 3));
    const plusZeros = toF32(dense).map((v, i) => (i % 3 === 0 ? 0 : v)); // a method that writes +0
    const p2 = storeLike(dense, plusZeros);
    expect(p2).toBeInstanceOf(PrunedHalfArray);
    expect(Array.from((p2 as PrunedHalfArray).bits)).toEqual(Array.from(plusZeros, (v) => bf16Bits(v)));
    const updated = x.map((v, i) => (i === 7 ? v + 0.5 : v)); // SparseGPT moves kept weights: a real copy
    expect(storeLike(dense, updated)).not.toBeInstanceOf(PrunedHalfArray);
    expect(bytesOf(storeLike(dense, updated))).toBe(2 * n);
  });

  it('f32 storage is used in place; slices of 16-bit storage are widened; zeros are counted in both', () => {
    const f = new Float32Array([1, 0, -0, 2.5]);
    expect(toF32(f)).toBe(f);
    expect(storeLike(f, f)).toBe(f);
    expect(sliceToF32(f, 1, 3).buffer).toBe(f.buffer);
    const h = storeLike(halfArray('BF16', new Uint16Array(1)), f);
    expect(Array.from(sliceToF32(h, 2, 4))).toEqual([-0, 2.5]);
    expect(countZeros(f)).toBe(2);
    expect(countZeros(h)).toBe(2);
    expect(Array.from(zeroFlags(h))).toEqual([0, 1, 1, 0]);
  });
});
