// The shared tolerance check (tests/support/close.ts) must fail on a wrong value, on non-finite
// values, and on a length mismatch, and pass within atol + rtol·|ref|.
import { describe, expect, it } from 'vitest';
import { closeReport, expectClose } from '../../support/close';

const tol = { atol: 1e-6, rtol: 1e-4, what: 't' };

describe('expectClose', () => {
  it('passes inside atol + rtol·|ref| and reports the achieved error', () => {
    const ref = [1000, -2, 0, 3.5];
    const got = [1000 + 0.09, -2 - 1e-4, 5e-7, 3.5];
    const r = expectClose(got, ref, tol);
    expect(r.ok).toBe(true);
    expect(r.maxAbs).toBeCloseTo(0.09, 10);
    expect(r.worst).toBe(0); // 0.09 / (1e-6 + 0.1) is the largest ratio
  });

  it('fails on a wrong value and names the worst element', () => {
    const ref = [1, 2, 3, 4];
    const got = [1, 2.001, 3, 4.1];
    expect(() => expectClose(got, ref, tol)).toThrow(/worst element 3: actual 4\.1, ref 4/);
    // just outside the bound: |Δ| = 2·(atol + rtol·|ref|)
    expect(closeReport([10 + 2 * (1e-6 + 1e-3)], [10], tol).ok).toBe(false);
    // atol = rtol = 0 means exact
    expect(closeReport([1 + 2 ** -40], [1], { atol: 0, rtol: 0 }).ok).toBe(false);
    expect(closeReport([1], [1], { atol: 0, rtol: 0 }).ok).toBe(true);
  });

  it('fails on NaN or Inf in actual where ref is finite', () => {
    expect(() => expectClose([1, NaN, 3], [1, 2, 3], tol)).toThrow(/worst element 1: actual NaN/);
    expect(() => expectClose([Infinity], [1], tol)).toThrow(/actual Infinity/);
    expect(closeReport([1, NaN], [1, 2], { ...tol, allowNonFinite: 'matching' }).ok).toBe(false);
  });

  it("fails on NaN in both unless allowNonFinite: 'matching'", () => {
    expect(closeReport([NaN], [NaN], tol).ok).toBe(false);
    expect(closeReport([NaN, 1], [NaN, 1], { ...tol, allowNonFinite: 'matching' }).ok).toBe(true);
    expect(closeReport([-Infinity], [-Infinity], { ...tol, allowNonFinite: 'matching' }).ok).toBe(true);
    expect(closeReport([Infinity], [-Infinity], { ...tol, allowNonFinite: 'matching' }).ok).toBe(false);
    expect(closeReport([5], [NaN], { ...tol, allowNonFinite: 'matching' }).ok).toBe(false);
  });

  it('fails on a length mismatch', () => {
    expect(() => expectClose([1, 2], [1, 2, 3], tol)).toThrow(/length 2, reference length 3/);
  });

  it('compares only the given indices', () => {
    expect(closeReport([1, 99, 3], [1, 2, 3], { ...tol, indices: [0, 2] }).ok).toBe(true);
    expect(closeReport([1, 99, 3], [1, 2, 3], { ...tol, indices: [1] }).ok).toBe(false);
  });
});
