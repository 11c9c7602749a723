// BESA candidates, sparsities, importance order and masks (docs/besa.md §1.2–§1.5, §7.1–§7.3), each checked
// against an independent construction: the reference's prob_map matrix, rank counting, closed forms.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { candidates, pruneCountsPerCandidate } from '../../../src/core/besa/candidates';
import { blockSparsity, mean, probabilities, rowSparsities, sparsityPenalty } from '../../../src/core/besa/sparsity';
import { WandaStats, argsortRows, importance } from '../../../src/core/besa/importance';
import { hardKeepBits, hardMask, hardPruneCounts, softMask } from '../../../src/core/besa/masks';
import { besaLinearMasks, initBesaLinear } from '../../../src/core/besa/layer';

describe('candidates', () => {
  it('101 float32 values 1.00 … 0.00 descending, within 1 ulp of 1 − 0.01 i, last exactly 0', () => {
    for (const arith of ['cpu', 'cuda', 'cuda-fma'] as const) {
      const c = candidates(0.01, arith);
      expect(c.length).toBe(101);
      expect(c[0]).toBe(1);
      expect(c[100]).toBe(0);
      for (let i = 0; i < 100; i++) {
        expect(Math.fround(c[i])).toBe(c[i]);
        expect(Math.abs(c[i] - (1 - 0.01 * i))).toBeLessThanOrEqual(2 ** -23);
        expect(c[i + 1]).toBeLessThan(c[i]);
      }
    }
    // torch CPU arange: start + i·step in double then rounded (0.7 → 0.699999988, not 0.70000005)
    expect(candidates()[30]).toBe(Math.fround(0.7));
    expect(candidates(0.01, 'cuda')[30]).toBeGreaterThan(0.7);
    expect(candidates(0.05).length).toBe(21);
  });
  it('k_d = int(C·cand_d): non-increasing from C to 0, with the float32 rounding caveat visible', () => {
    const C = 100;
    const k = pruneCountsPerCandidate(C, candidates());
    expect(k[0]).toBe(C);
    expect(k[100]).toBe(0);
    for (let d = 0; d < 100; d++) expect(k[d + 1]).toBeLessThanOrEqual(k[d]);
    for (let d = 0; d <= 100; d++) expect(Math.abs(k[d] - (100 - d))).toBeLessThanOrEqual(1);
    expect(k[30]).toBe(69); // 100 · 0.699999988 truncates to 69: the ±1 of docs/besa.md §1.5
  });
});

describe('sparsity from θ', () => {
  const cand = candidates();
  it('θ = 0 gives s = 0.5 in every row, zero penalty, n_r = floor(C/2) or one less', () => {
    const G = 7,
      D = 101;
    for (const sig of [true, false]) {
      const s = rowSparsities(probabilities(new Float64Array(G * D), G, D, sig), cand, G);
      for (const v of s) expect(Math.abs(v - 0.5)).toBeLessThan(1e-7); // cand are f32: mean is 0.5 ± 1e-8
      expect(sparsityPenalty(mean(s), 0.5, 5).penalty).toBeLessThan(1e-12);
    }
    const s32 = rowSparsities(probabilities(new Float32Array(G * D), G, D), cand, G);
    for (const C of [11, 12, 100, 4096])
      for (const n of hardPruneCounts(s32, C)) expect([Math.floor(C / 2), Math.floor(C / 2) - 1]).toContain(n);
  });
  it('with sigmoid smoothing no θ leaves [0.3763, 0.6237]; the extremes reach the bound; without it s reaches 0 and 1', () => {
    const D = 101;
    // extreme θ: candidates d < k at +40 (z≈1), the rest at −40 (z≈0), and the mirror image
    const probes: Float64Array[] = [];
    for (let k = 0; k <= D; k++) {
      const a = new Float64Array(D),
        b = new Float64Array(D);
      for (let d = 0; d < D; d++) {
        a[d] = d < k ? 40 : -40;
        b[d] = -a[d];
      }
      probes.push(a, b);
    }
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const t = new Float64Array(D);
      for (let d = 0; d < D; d++) t[d] = 30 * rng.normal();
      probes.push(t);
    }
    let lo = 1,
      hi = 0;
    for (const t of probes) {
      const s = rowSparsities(probabilities(t, 1, D, true), cand, 1)[0];
      lo = Math.min(lo, s);
      hi = Math.max(hi, s);
    }
    expect(lo).toBeGreaterThanOrEqual(0.3763);
    expect(hi).toBeLessThanOrEqual(0.6237);
    expect(hi).toBeGreaterThan(0.6236); // the bound is attained (e/(e+100)-type extremes)
    expect(lo).toBeLessThan(0.3764);
    const one = new Float64Array(D).fill(-50);
    one[0] = 50;
    expect(rowSparsities(probabilities(one, 1, D, false), cand, 1)[0]).toBeGreaterThan(0.999);
    const zero = new Float64Array(D).fill(-50);
    zero[100] = 50;
    expect(rowSparsities(probabilities(zero, 1, D, false), cand, 1)[0]).toBeLessThan(0.001);
  });
  it('block sparsity is parameter-weighted; penalty gradient is 2β(s−α̂)/α̂²', () => {
    expect(
      blockSparsity([
        { numel: 100, sparsity: 0.2 },
        { numel: 300, sparsity: 0.6 },
      ]),
    ).toBeCloseTo(0.5, 15);
    const { penalty, dS } = sparsityPenalty(0.55, 0.5, 5);
    expect(penalty).toBeCloseTo(5 * 0.01, 14);
    expect(dS).toBeCloseTo((2 * 5 * 0.05) / 0.25, 13);
  });
});

describe('importance and order', () => {
  it('WandaStats is the running mean over sequences of Σ_t x²; Wanda metric |W|·sqrt(scaler); weight metric |W|', () => {
    const rng = new Rng(4);
    const cols = 9,
      rows = 5;
    const st = new WandaStats(cols);
    const want = new Float64Array(cols);
    let nseqTotal = 0;
    for (const [tokens, nseq] of [
      [4, 1],
      [6, 2],
      [3, 1],
    ] as const) {
      const x = rng.normalArray(tokens * cols);
      st.addBatch(x, tokens, nseq);
      nseqTotal += nseq;
      for (let t = 0; t < tokens; t++) for (let j = 0; j < cols; j++) want[j] += x[t * cols + j] ** 2;
    }
    for (let j = 0; j < cols; j++) expect(st.scalerRow[j]).toBeCloseTo(want[j] / nseqTotal, 12);
    expect(st.nsamples).toBe(4);
    const w = rng.normalArray(rows * cols);
    const S = importance(w, rows, cols, 'wanda', st.scalerRow);
    for (let i = 0; i < rows * cols; i++) expect(S[i]).toBeCloseTo(Math.abs(w[i]) * Math.sqrt(want[i % cols] / 4), 5);
    const Sw = importance(w, rows, cols, 'weight');
    for (let i = 0; i < rows * cols; i++) expect(Sw[i]).toBe(Math.abs(w[i]));
    expect(() => importance(w, rows, cols, 'wanda')).toThrow(/scalerRow/);
  });
  it('argsortRows is a stable ascending sort per row (ties keep index order)', () => {
    const S = Float32Array.from([3, 1, 2, 1, 0, /* row 2 */ 5, 5, 5, 4, 5]);
    expect(Array.from(argsortRows(S, 2, 5))).toEqual([4, 1, 3, 2, 0, 3, 0, 1, 2, 4]);
  });

  it('the order is 16-bit up to 65536 columns and 32-bit past them; hardKeepBits is hardMask in bytes', () => {
    const rng = new Rng(65);
    for (const cols of [65536, 65537]) {
      const S = rng.uniformArray(cols, 0, 1);
      const idx = argsortRows(S, 1, cols);
      expect(idx).toBeInstanceOf(cols === 65536 ? Uint16Array : Int32Array);
      expect(idx[0]).toBe(S.indexOf(Math.min(...S)));
      expect(idx[cols - 1]).toBe(S.indexOf(Math.max(...S)));
      const n = Int32Array.of(rng.int(cols + 1));
      expect(Array.from(hardKeepBits(n, idx, 1, cols))).toEqual(Array.from(hardMask(n, idx, 1, cols)));
    }
  });
});

/** Reference loops transcribed from SparseLinear.get_prob_mask / MaskGenPytorch (docs/besa.md §7.1). */
function refSoftMask(p: Float32Array, cand: Float32Array, sortIdx: ArrayLike<number>, rows: number, cols: number, G: number) {
  const D = cand.length;
  const probMap = new Float64Array(D * cols);
  for (let d = 0; d < D; d++) for (let j = 0; j < Math.trunc(cols * cand[d]); j++) probMap[d * cols + j] = 1;
  const P = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const g = Math.floor(r / (rows / G)); // repeat(1, blocksize) / repeat(rows, 1)
    for (let j = 0; j < cols; j++) {
      let acc = 0;
      for (let d = 0; d < D; d++) acc += p[g * D + d] * probMap[d * cols + j];
      P[r * cols + sortIdx[r * cols + j]] = 1 - acc; // scatter_(1, sort_indices, probabilities)
    }
  }
  return P;
}

describe('masks', () => {
  for (const [name, G] of [
    ['row-wise', 6],
    ['layer-wise', 1],
    ['blocksize 2', 3],
  ] as const) {
    it(`${name}: soft mask = 1 − p @ prob_map scattered; hard mask zeros exactly the n lowest-ranked`, () => {
      const rng = new Rng(G + 100);
      const rows = 6,
        cols = 37;
      const cand = candidates();
      const D = cand.length;
      const S = rng.uniformArray(rows * cols, 0, 1);
      S[5] = S[7]; // a tie
      const sortIdx = argsortRows(S, rows, cols);
      const theta = rng.normalArray(G * D, 3);
      const p = probabilities(theta, G, D);
      const P = softMask(p, pruneCountsPerCandidate(cols, cand), sortIdx, rows, cols, G);
      const ref = refSoftMask(p, cand, sortIdx, rows, cols, G);
      for (let i = 0; i < P.length; i++) expect(Math.abs(P[i] - ref[i])).toBeLessThanOrEqual(1e-6);
      const n = Int32Array.from({ length: G }, () => rng.int(cols + 1));
      const M = hardMask(n, sortIdx, rows, cols);
      for (let r = 0; r < rows; r++) {
        const nr = n[Math.floor(r / (rows / G))];
        for (let j = 0; j < cols; j++) {
          // rank by counting: entries with smaller score, or equal score and smaller index (stable)
          let rank = 0;
          for (let u = 0; u < cols; u++) {
            const a = S[r * cols + u],
              b = S[r * cols + j];
            if (a < b || (a === b && u < j)) rank++;
          }
          expect(M[r * cols + j]).toBe(rank < nr ? 0 : 1);
        }
      }
    });
  }
  it('initBesaLinear + besaLinearMasks at θ = 0: s = 0.5, P = 1 − j-th position mass, hard zeros = n per row', () => {
    const rng = new Rng(8);
    const rows = 5,
      cols = 23;
    const w = rng.normalArray(rows * cols);
    const st = new WandaStats(cols);
    st.addBatch(rng.normalArray(4 * cols), 4);
    for (const granularity of ['row', 'layer'] as const) {
      const L = initBesaLinear(w, rows, cols, { granularity, scalerRow: st.scalerRow });
      expect(L.theta.length).toBe((granularity === 'row' ? rows : 1) * 101);
      const m = besaLinearMasks(L);
      expect(Math.abs(m.sparsity - 0.5)).toBeLessThan(1e-7);
      for (let r = 0; r < rows; r++) {
        let zeros = 0;
        for (let j = 0; j < cols; j++) zeros += m.hard[r * cols + j] === 0 ? 1 : 0;
        expect(zeros).toBe(m.n[granularity === 'row' ? r : 0]);
        expect([11, 10]).toContain(zeros);
      }
      // P at the most important position (sorted last) is ≈ 1 − mass of candidates with k_d = cols (only d=0)
      const last = L.sortIdx[cols - 1];
      expect(m.soft[last]).toBeCloseTo(1 - 1 / 101, 6);
    }
  });
});
