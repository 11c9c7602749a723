// CPU references of the GPT-2 ops (LayerNorm, tanh GELU, learned positions): backward against central finite
// differences in f64 (tests/unit/core/helpers.ts), forward against a hand-computed case and identities that
// an independent formula pins down.
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../src/core/errors';
import { geluBackward, geluForward } from '../../../src/core/ops/gelu';
import { layernormBackward, layernormForward } from '../../../src/core/ops/layernorm';
import { positionAdd } from '../../../src/core/ops/positionAdd';
import { Rng } from '../../../src/core/rng';
import { dot, fdGrad, randn64 } from './helpers';
import { expectClose } from '../../support/close';

// FD in f64 with h = 1e-6: truncation ~h² and rounding ~1e-16/h, so ~1e-8 absolute agreement.
const ATOL = 1e-7;
const RTOL = 1e-6;

describe('layernorm', () => {
  it('forward: a hand-computed 2×4 case (a constant row normalises to 0 and comes out as b)', () => {
    // row 0: mean 3, var (9+1+1+9)/4 = 5, +eps 4 → rstd 1/3, x̂ = [−1, −⅓, ⅓, 1]
    // row 1: constant 5 → var 0, rstd 1/sqrt(4) = ½, x̂ = 0, y = b
    const x = Float64Array.from([0, 2, 4, 6, 5, 5, 5, 5]);
    const w = Float64Array.from([1, 2, 3, 0.5]);
    const b = Float64Array.from([0, 1, -1, 2]);
    const { y, mean, rstd } = layernormForward(x, w, b, 2, 4, 4);
    expect(y).toBeInstanceOf(Float64Array);
    expectClose(mean, [3, 5], { atol: 1e-15, rtol: 0, what: 'mean' });
    expectClose(rstd, [1 / 3, 0.5], { atol: 1e-15, rtol: 0, what: 'rstd' });
    expectClose(y, [-1, 1 / 3, 0, 2.5, 0, 1, -1, 2], { atol: 1e-15, rtol: 0, what: 'y' });
    expect(layernormForward(Float32Array.from(x), w, b, 2, 4, 4).y).toBeInstanceOf(Float32Array);
  });

  it('dx matches finite differences (f64), and sums to 0 per row (y is shift-invariant)', () => {
    const T = 5,
      C = 12,
      eps = 1e-5;
    const rng = new Rng(41);
    const x = randn64(rng, T * C, 2),
      w = randn64(rng, C),
      b = randn64(rng, C),
      R = randn64(rng, T * C);
    for (let i = 0; i < x.length; i++) x[i] += Math.floor(i / C) - 2; // rows with a nonzero mean
    const L = () => dot(layernormForward(x, w, b, T, C, eps).y, R);
    const { mean, rstd } = layernormForward(x, w, b, T, C, eps);
    const dx = layernormBackward(x, w, mean, rstd, R, T, C);
    expectClose(dx, fdGrad(L, x), { atol: ATOL, rtol: RTOL, what: 'layernorm dx' });
    for (let t = 0; t < T; t++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += dx[t * C + c];
      expect(Math.abs(s)).toBeLessThan(1e-12);
    }
  });

  it('rejects mismatched dims with a ShapeError', () => {
    expect(() => layernormForward(new Float32Array(8), new Float32Array(4), new Float32Array(3), 2, 4, 1e-5)).toThrow(
      /b has length 3, expected 4/,
    );
  });
});

describe('gelu (tanh form)', () => {
  it('forward: gelu(u) − gelu(−u) = u, gelu(0) = 0, gelu(u) → max(u, 0) for large |u|', () => {
    // ½u(1 + tanh z) + ½u(1 − tanh z) = u since z is odd in u: an identity independent of the constants.
    const rng = new Rng(51);
    const u = randn64(rng, 64, 3);
    const neg = u.map((v) => -v);
    const hp = geluForward(u),
      hn = geluForward(neg);
    expectClose(
      hp.map((v, i) => v - hn[i]),
      u,
      { atol: 1e-14, rtol: 1e-14, what: 'gelu odd part' },
    );
    expectClose(geluForward(Float64Array.from([0, 20, -20])), [0, 20, 0], { atol: 1e-300, rtol: 0, what: 'gelu limits' });
  });

  it('du matches finite differences (f64), across the curved region and the tails', () => {
    const rng = new Rng(52);
    const u = randn64(rng, 40, 2.5);
    u.set([0, -0.7, 0.7, -4, 4, -8, 8], 0);
    const R = randn64(rng, u.length);
    const L = () => dot(geluForward(u), R);
    expectClose(geluBackward(u, R), fdGrad(L, u), { atol: ATOL, rtol: RTOL, what: 'gelu du' });
  });

  it('rejects a dh of the wrong length', () => {
    expect(() => geluBackward(new Float32Array(4), new Float32Array(3))).toThrow(/dh has length 3, expected 4/);
  });
});

describe('positionAdd', () => {
  it('adds table row t0 + t to row t, for t0 = 0 and t0 > 0', () => {
    const T = 3,
      C = 5,
      P = 7;
    const rng = new Rng(61);
    const x = randn64(rng, T * C),
      pos = randn64(rng, P * C);
    for (const t0 of [0, 4]) {
      const y = positionAdd(x, pos, T, C, P, t0);
      for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) expect(y[t * C + c]).toBe(x[t * C + c] + pos[(t0 + t) * C + c]);
    }
    expect(positionAdd(Float32Array.from(x), pos, T, C, P)).toBeInstanceOf(Float32Array);
  });

  it('rejects positions past the table and a mis-sized table', () => {
    const x = new Float64Array(3 * 5);
    expect(() => positionAdd(x, new Float64Array(7 * 5), 3, 5, 7, 5)).toThrow(ShapeError);
    expect(() => positionAdd(x, new Float64Array(7 * 5), 3, 5, 7, 5)).toThrow(/positions 5\.\.7 do not fit the table's P=7 rows/);
    expect(() => positionAdd(x, new Float64Array(6 * 5), 3, 5, 7)).toThrow(/pos has length 30, expected 35/);
  });
});
