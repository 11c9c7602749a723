// Finite-difference checks (f64) of every CPU reference backward, plus forward properties that an
// independent formula pins down (dense loops, rotation norms, softmax rows, GQA head sharing).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { linearBackward, linearForward } from '../../../src/core/ops/linear';
import { rmsnormBackward, rmsnormForward } from '../../../src/core/ops/rmsnorm';
import { ropeBackward, ropeForward } from '../../../src/core/ops/rope';
import { attentionBackward, attentionForward } from '../../../src/core/ops/attention';
import { swigluBackward, swigluForward } from '../../../src/core/ops/swiglu';
import { reconLoss } from '../../../src/core/ops/reconLoss';
import { dot, fdGrad, randn64 } from './helpers';
import { expectClose } from '../../support/close';

// FD in f64 with h = 1e-6: truncation ~h² and rounding ~1e-16/h, so ~1e-8 absolute agreement.
const ATOL = 1e-7;
const RTOL = 1e-6;

describe('linear', () => {
  const T = 5,
    In = 7,
    Out = 9;
  it('forward equals an explicit triple loop, with bias and mask', () => {
    const rng = new Rng(11);
    const x = rng.normalArray(T * In),
      w = rng.normalArray(Out * In),
      b = rng.normalArray(Out);
    const m = rng.uniformArray(Out * In, 0, 1);
    const y = linearForward(x, w, T, In, Out, b, m);
    expect(y).toBeInstanceOf(Float32Array);
    for (let t = 0; t < T; t++)
      for (let o = 0; o < Out; o++) {
        let s = b[o];
        for (let i = 0; i < In; i++) s += x[t * In + i] * w[o * In + i] * m[o * In + i];
        expect(Math.abs(y[t * Out + o] - s)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(s));
      }
  });
  it('dx and dMask match finite differences (f64)', () => {
    const rng = new Rng(12);
    const x = randn64(rng, T * In),
      w = randn64(rng, Out * In),
      b = randn64(rng, Out);
    const m = randn64(rng, Out * In),
      R = randn64(rng, T * Out);
    const L = () => dot(linearForward(x, w, T, In, Out, b, m), R);
    const { dx, dMask } = linearBackward(x, w, R, T, In, Out, m);
    expectClose(dx, fdGrad(L, x), { atol: ATOL, rtol: RTOL, what: 'linear dx' });
    expectClose(dMask, fdGrad(L, m), { atol: ATOL, rtol: RTOL, what: 'linear dMask' });
    // no mask: gradient at M = 1
    const L1 = () => dot(linearForward(x, w, T, In, Out, b), R);
    const ones = new Float64Array(Out * In).fill(1);
    const Lm = () => dot(linearForward(x, w, T, In, Out, b, ones), R);
    const g = linearBackward(x, w, R, T, In, Out);
    expectClose(g.dx, fdGrad(L1, x), { atol: ATOL, rtol: RTOL, what: 'linear dx (dense)' });
    expectClose(g.dMask, fdGrad(Lm, ones), { atol: ATOL, rtol: RTOL, what: 'linear dMask at M=1' });
  });
  it('rejects mismatched dims with a ShapeError', () => {
    expect(() => linearForward(new Float32Array(6), new Float32Array(6), 2, 3, 3)).toThrow(/w has length 6, expected 9/);
  });
});

describe('rmsnorm', () => {
  const T = 5,
    C = 12,
    eps = 1e-5;
  it('forward: y·rstd⁻¹/w recovers x and mean(y/w)² = 1/(1+eps·rstd²)', () => {
    const rng = new Rng(21);
    const x = randn64(rng, T * C),
      w = randn64(rng, C);
    const { y, rstd } = rmsnormForward(x, w, T, C, eps);
    for (let t = 0; t < T; t++) {
      let ms = 0;
      for (let c = 0; c < C; c++) ms += x[t * C + c] ** 2;
      ms /= C;
      expect(rstd[t]).toBeCloseTo(1 / Math.sqrt(ms + eps), 12);
      for (let c = 0; c < C; c++) expect(y[t * C + c]).toBeCloseTo((x[t * C + c] * w[c]) / Math.sqrt(ms + eps), 12);
    }
  });
  it('dx matches finite differences (f64)', () => {
    const rng = new Rng(22);
    const x = randn64(rng, T * C),
      w = randn64(rng, C),
      R = randn64(rng, T * C);
    const L = () => dot(rmsnormForward(x, w, T, C, eps).y, R);
    const { rstd } = rmsnormForward(x, w, T, C, eps);
    expectClose(rmsnormBackward(x, w, rstd, R, T, C), fdGrad(L, x), { atol: ATOL, rtol: RTOL, what: 'rmsnorm dx' });
  });
});

describe('rope', () => {
  const T = 5,
    H = 3,
    D = 6,
    theta = 10000;
  for (const layout of ['half', 'interleaved'] as const) {
    it(`${layout}: pairs, norms and position 0 behave; backward = FD; backward∘forward = id`, () => {
      const rng = new Rng(layout === 'half' ? 31 : 32);
      const x = randn64(rng, T * H * D),
        R = randn64(rng, T * H * D);
      const y = ropeForward(x, T, H, D, theta, layout, 3);
      // each rotated pair keeps its norm; pair i rotates by (t+3)·theta^(-2i/D)
      for (let t = 0; t < T; t++)
        for (let h = 0; h < H; h++)
          for (let i = 0; i < D / 2; i++) {
            const base = (t * H + h) * D;
            const [a, b] = layout === 'half' ? [base + i, base + i + D / 2] : [base + 2 * i, base + 2 * i + 1];
            const ang = (t + 3) / Math.pow(theta, (2 * i) / D);
            // complex multiply (x_a + i x_b)·e^{i ang}
            expect(y[a]).toBeCloseTo(x[a] * Math.cos(ang) - x[b] * Math.sin(ang), 12);
            expect(y[b]).toBeCloseTo(x[b] * Math.cos(ang) + x[a] * Math.sin(ang), 12);
          }
      const y0 = ropeForward(x.subarray(0, H * D), 1, H, D, theta, layout, 0); // first token, posOffset 0: identity
      expectClose(y0, x.subarray(0, H * D), { atol: 1e-15, rtol: 0, what: 'rope at pos 0' });
      const L = () => dot(ropeForward(x, T, H, D, theta, layout, 3), R);
      expectClose(ropeBackward(R, T, H, D, theta, layout, 3), fdGrad(L, x), { atol: ATOL, rtol: RTOL, what: 'rope dx' });
      expectClose(ropeBackward(y, T, H, D, theta, layout, 3), x, { atol: 1e-12, rtol: 1e-12, what: 'rope inverse' });
    });
  }
  it('the two layouts agree after permuting dims (i, i+D/2) <-> (2i, 2i+1)', () => {
    const rng = new Rng(33);
    const x = randn64(rng, T * H * D);
    const perm = (i: number) => (i < D / 2 ? 2 * i : 2 * (i - D / 2) + 1); // half index -> interleaved index
    const xi = new Float64Array(x.length);
    for (let r = 0; r < T * H; r++) for (let i = 0; i < D; i++) xi[r * D + perm(i)] = x[r * D + i];
    const yh = ropeForward(x, T, H, D, theta, 'half');
    const yi = ropeForward(xi, T, H, D, theta, 'interleaved');
    for (let r = 0; r < T * H; r++) for (let i = 0; i < D; i++) expect(yi[r * D + perm(i)]).toBeCloseTo(yh[r * D + i], 13);
  });
});

describe('attention', () => {
  for (const [H, KVH] of [
    [3, 1],
    [4, 2],
    [2, 2],
  ] as const) {
    const T = 5,
      D = 6;
    it(`H=${H} KVH=${KVH}: causal softmax rows, GQA sharing, backward = FD`, () => {
      const rng = new Rng(40 + H * 10 + KVH);
      const q = randn64(rng, T * H * D),
        k = randn64(rng, T * KVH * D),
        v = randn64(rng, T * KVH * D);
      const { out, probs } = attentionForward(q, k, v, T, H, KVH, D);
      for (let h = 0; h < H; h++)
        for (let t = 0; t < T; t++) {
          let s = 0;
          for (let u = 0; u < T; u++) {
            const p = probs[(h * T + t) * T + u];
            if (u > t) expect(p).toBe(0);
            s += p;
          }
          expect(s).toBeCloseTo(1, 14);
        }
      // first token attends only to itself: out_0 = v_0 of its kv head
      for (let h = 0; h < H; h++) for (let d = 0; d < D; d++) expect(out[h * D + d]).toBeCloseTo(v[Math.floor(h / (H / KVH)) * D + d], 14);
      const R = randn64(rng, T * H * D);
      const { dq, dk, dv } = attentionBackward(q, k, v, probs, R, T, H, KVH, D);
      expectClose(
        dq,
        fdGrad(() => dot(attentionForward(q, k, v, T, H, KVH, D).out, R), q),
        { atol: ATOL, rtol: RTOL, what: 'attn dq' },
      );
      expectClose(
        dk,
        fdGrad(() => dot(attentionForward(q, k, v, T, H, KVH, D).out, R), k),
        { atol: ATOL, rtol: RTOL, what: 'attn dk' },
      );
      expectClose(
        dv,
        fdGrad(() => dot(attentionForward(q, k, v, T, H, KVH, D).out, R), v),
        { atol: ATOL, rtol: RTOL, what: 'attn dv' },
      );
    });
  }
  it('is stable for huge scores (no NaN/Inf)', () => {
    const T = 3,
      D = 4;
    const q = new Float32Array(T * D).fill(1e4),
      k = new Float32Array(T * D).fill(1e4),
      v = new Float32Array(T * D).fill(1);
    const { out } = attentionForward(q, k, v, T, 1, 1, D);
    for (const o of out) expect(o).toBeCloseTo(1, 6);
  });
  it('rejects H not divisible by KVH', () => {
    expect(() => attentionForward(new Float32Array(30), new Float32Array(20), new Float32Array(20), 5, 3, 2, 2)).toThrow(/multiple/);
  });
});

describe('swiglu', () => {
  it('forward = silu(g)·u; backward = FD (f64)', () => {
    const rng = new Rng(51);
    const n = 5 * 13;
    const g = randn64(rng, n, 3),
      u = randn64(rng, n),
      R = randn64(rng, n);
    const h = swigluForward(g, u);
    for (let i = 0; i < n; i++) expect(h[i]).toBeCloseTo((g[i] / (1 + Math.exp(-g[i]))) * u[i], 14);
    const { dgate, dup } = swigluBackward(g, u, R);
    expectClose(
      dgate,
      fdGrad(() => dot(swigluForward(g, u), R), g),
      { atol: ATOL, rtol: RTOL, what: 'swiglu dgate' },
    );
    expectClose(
      dup,
      fdGrad(() => dot(swigluForward(g, u), R), u),
      { atol: ATOL, rtol: RTOL, what: 'swiglu dup' },
    );
  });
});

describe('reconLoss', () => {
  const T = 5,
    C = 12;
  it('equals mean over channels of ||Δ_c||²/||yRef_c||²; dy = FD; zero-norm channel ignored', () => {
    const rng = new Rng(61);
    const y = randn64(rng, T * C),
      yRef = randn64(rng, T * C);
    for (let t = 0; t < T; t++) yRef[t * C + 4] = 0; // an all-zero reference channel
    let want = 0;
    for (let c = 0; c < C; c++) {
      if (c === 4) continue;
      let num = 0,
        den = 0;
      for (let t = 0; t < T; t++) {
        num += (y[t * C + c] - yRef[t * C + c]) ** 2;
        den += yRef[t * C + c] ** 2;
      }
      want += num / den;
    }
    const { loss, dy } = reconLoss(y, yRef, T, C);
    expect(loss).toBeCloseTo(want / C, 13);
    expect(Number.isFinite(loss)).toBe(true);
    // n_c is detached: differentiate w.r.t. y only
    expectClose(
      dy,
      fdGrad(() => reconLoss(y, yRef, T, C).loss, y),
      { atol: ATOL, rtol: RTOL, what: 'reconLoss dy' },
    );
    expect(reconLoss(yRef, yRef, T, C).loss).toBe(0);
  });
});
