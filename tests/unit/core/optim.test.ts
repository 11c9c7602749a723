// Prodigy (docs/besa.md §1.7) and AdamW: analytic first steps, hand-derived second step, invariants, quirks,
// and convergence on the toy BESA problem loss = Σ_rows (softmax(sigmoid θ)·cand − target)².
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { ArrayProdigyStore, Prodigy } from '../../../src/core/optim/prodigy';
import { AdamW } from '../../../src/core/optim/adam';
import { toyLossGrad } from './toy';

const D = 101;

describe('Prodigy', () => {
  it('first step: d = d0 = 1e-6, numerator 0, θ moves by dlr·0.1/sqrt(0.001)·sign(g) ≈ 3.16e-6', () => {
    const rng = new Rng(1);
    const p = [new Float32Array(7), new Float32Array(5)]; // θ starts at 0 in BESA; f32 resolves the 3e-6 step
    const p0 = p.map((a) => new Float32Array(a));
    const g = [rng.normalArray(7), rng.normalArray(5)];
    const opt = new Prodigy(p, { dCoef: 5 });
    opt.step(g);
    expect(opt.d).toBe(1e-6);
    expect(opt.dNumerator).toBe(0);
    expect(opt.dHat).toBe(0);
    for (let t = 0; t < 2; t++)
      for (let i = 0; i < p[t].length; i++) {
        const gi = g[t][i];
        const want = p0[t][i] - (1e-6 * (1e-6 * 0.1 * gi)) / (Math.sqrt(1e-12 * 0.001 * gi * gi) + 1e-6 * 1e-8);
        expect(Math.abs(p[t][i] - want)).toBeLessThanOrEqual(1e-6 * Math.abs(want));
        expect(Math.abs(p[t][i] - p0[t][i])).toBeLessThan(3.17e-6);
      }
  });

  it('second step with the same gradient: d jumps to d_coef·num/den (hand-derived), dlr still d0', () => {
    const g = Float32Array.from([0.5, -2, 1e-3, 3]);
    const p = new Float32Array(4);
    const opt = new Prodigy([p], { dCoef: 5 });
    opt.step([g]);
    const p1 = new Float32Array(p);
    opt.step([g]);
    const b3 = Math.sqrt(0.999),
      d0 = 1e-6;
    let gdot = 0,
      den = 0;
    for (let i = 0; i < 4; i++) {
      gdot += g[i] * (0 - p1[i]);
      den += Math.abs(((b3 * d0 * d0) / d0) * g[i] + d0 * g[i]);
    }
    const num = d0 * gdot; // (d/d0)·dlr·<g, p0 − θ>, previous numerator 0
    const dHat = (5 * num) / den;
    expect(dHat).toBeGreaterThan(d0);
    expect(opt.dNumerator).toBeCloseTo(num, 20);
    expect(Math.abs(opt.d - dHat) / dHat).toBeLessThan(1e-6);
    // update used dlr = d0 (start of step) but eps·d with the new d
    for (let i = 0; i < 4; i++) {
      const m = 0.9 * 0.1 * d0 * g[i] + 0.1 * d0 * g[i];
      const v = 0.999 * 0.001 * d0 * d0 * g[i] * g[i] + 0.001 * d0 * d0 * g[i] * g[i];
      const want = p1[i] - (d0 * m) / (Math.sqrt(v) + opt.d * 1e-8);
      expect(Math.abs(p[i] - want)).toBeLessThanOrEqual(1e-12 + 1e-5 * Math.abs(want - p1[i]));
    }
  });

  it('on the toy problem ([3,101] and [101]): d never decreases, loss falls, θ leaves 0', () => {
    const t1 = new Float32Array(3 * D),
      t2 = new Float32Array(D);
    const opt = new Prodigy([t1, t2], { dCoef: 5 });
    const L = () => toyLossGrad(t1, 3, 0.42).loss + toyLossGrad(t2, 1, 0.58).loss;
    const L0 = L();
    let dPrev = opt.d;
    for (let k = 0; k < 60; k++) {
      opt.step([toyLossGrad(t1, 3, 0.42).grad, toyLossGrad(t2, 1, 0.58).grad]);
      expect(opt.d).toBeGreaterThanOrEqual(dPrev);
      dPrev = opt.d;
    }
    expect(opt.d).toBeGreaterThan(1e-4);
    expect(L()).toBeLessThan(0.2 * L0); // θ saturates the sigmoid once d ≈ 2, so it stalls near 0.1·L0
    expect(opt.k).toBe(60);
  });

  it('zero gradients: no parameter change and no d update, but the moments decay (reference quirk); null grads skip a tensor', () => {
    const rng = new Rng(2);
    const a = rng.normalArray(4),
      b = rng.normalArray(3);
    const bInit = new Float32Array(b);
    const opt = new Prodigy([a, b]);
    opt.step([rng.normalArray(4), null]);
    const a1 = new Float32Array(a);
    const m1 = new Float32Array((opt.store as ArrayProdigyStore).state[0].m),
      s1 = new Float32Array((opt.store as ArrayProdigyStore).state[0].s);
    (opt.store as ArrayProdigyStore).state[0].s.fill(0); // make den = 0 after the update below
    opt.step([new Float32Array(4), null]);
    expect(Array.from(a)).toEqual(Array.from(a1));
    expect(opt.k).toBe(1);
    for (let i = 0; i < 4; i++)
      expect(Math.abs((opt.store as ArrayProdigyStore).state[0].m[i] - 0.9 * m1[i])).toBeLessThanOrEqual(1e-6 * Math.abs(m1[i]));
    expect(s1.some((x) => x !== 0)).toBe(true);
    expect((opt.store as ArrayProdigyStore).state[1].p0).toBeNull();
    expect(Array.from(b)).toEqual(Array.from(bInit)); // null gradient: tensor untouched
  });

  it('rejects bad options and mismatched gradients with messages saying what to change', () => {
    expect(() => new Prodigy([new Float32Array(1)], { d0: 0 })).toThrow(/d0=0 must be > 0/);
    expect(() => new Prodigy([new Float32Array(2)]).step([new Float32Array(3)])).toThrow(/length 3/);
  });
});

describe('AdamW', () => {
  it('first step moves each entry by lr·g/(|g|+eps) after decay p(1−lr·wd)', () => {
    const rng = new Rng(3);
    const p = rng.normalArray(9),
      p0 = new Float32Array(p),
      g = rng.normalArray(9);
    new AdamW([p], { lr: 1e-2, weightDecay: 0.1 }).step([g]);
    for (let i = 0; i < 9; i++) {
      const want = p0[i] * (1 - 1e-3) - (1e-2 * g[i]) / (Math.abs(g[i]) + 1e-8);
      expect(p[i]).toBeCloseTo(want, 6);
    }
  });
  it('constant gradient: bias-corrected moments equal g and g², so every step moves lr·sign(g) (wd 0)', () => {
    const p = new Float32Array([1, -1]);
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0 });
    for (let k = 0; k < 10; k++) opt.step([Float32Array.from([2, -0.5])]);
    expect(p[0]).toBeCloseTo(1 - 1, 5);
    expect(p[1]).toBeCloseTo(-1 + 1, 5);
  });
  it('zero gradient with weight decay: p ← p(1 − lr·wd)^t', () => {
    const p = new Float32Array([2]);
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    for (let k = 0; k < 5; k++) opt.step([new Float32Array(1)]);
    expect(p[0]).toBeCloseTo(2 * 0.95 ** 5, 6);
  });
});
