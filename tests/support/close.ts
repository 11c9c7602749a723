// The one tolerance check of the test suite (docs/architecture.md §9): element i passes when
//   |actual[i] − ref[i]| ≤ atol + rtol·|ref[i]|
// and a failure names the worst element (largest |a − ref| / (atol + rtol·|ref|)), its index and values.
//
// Non-finite values (NaN, ±Inf) never pass by arithmetic accident (NaN compares false both ways):
//   - ref finite, actual NaN/±Inf                  → fail (a kernel that overflowed or read garbage);
//   - ref NaN/±Inf, actual anything                → fail by default (allowNonFinite: 'none'), because a
//     reference that is not finite usually means the test inputs are wrong;
//   - allowNonFinite: 'matching'                    → NaN passes where ref is NaN, +Inf where ref is +Inf,
//     −Inf where ref is −Inf (for tests that check how non-finite inputs propagate); any other
//     combination still fails.
// Lengths must be equal. GPU_TOL_REPORT=1 prints the achieved max abs/rel error of every comparison.
import { expect } from 'vitest';

export interface CloseOptions {
  atol: number;
  rtol: number;
  /** What is compared, for the failure message. */
  what?: string;
  /** Non-finite policy (see the header): 'none' (default) or 'matching'. */
  allowNonFinite?: 'none' | 'matching';
  /** Compare only these indices (e.g. the entries a finite-difference check sampled). */
  indices?: readonly number[];
}

export interface CloseReport {
  /** True when every compared element is within tolerance under the non-finite policy. */
  ok: boolean;
  /** max |a − ref| over finite pairs. */
  maxAbs: number;
  /** max |a − ref| / |ref| over finite pairs with |ref| > 1e-6. */
  maxRel: number;
  /** max |a − ref| / (atol + rtol·|ref|); ≤ 1 means within tolerance; Infinity for a non-finite failure. */
  worstRatio: number;
  /** Index of the worst element (−1 when nothing was compared or all are exact). */
  worst: number;
  /** Human-readable description of the worst element (or of the length mismatch). */
  message: string;
}

function nonFiniteMatches(a: number, r: number): boolean {
  return Number.isNaN(r) ? Number.isNaN(a) : a === r; // ±Inf must match in sign
}

/** The comparison without asserting: for tests of the check itself and for custom reporting. */
export function closeReport(actual: ArrayLike<number>, ref: ArrayLike<number>, opts: CloseOptions): CloseReport {
  const { atol, rtol, what = 'values', allowNonFinite = 'none' } = opts;
  if (!(atol >= 0) || !(rtol >= 0)) throw new RangeError(`closeReport(${what}): atol=${atol} and rtol=${rtol} must be >= 0`);
  if (actual.length !== ref.length)
    return {
      ok: false,
      maxAbs: NaN,
      maxRel: NaN,
      worstRatio: Infinity,
      worst: -1,
      message: `${what}: length ${actual.length}, reference length ${ref.length}`,
    };
  let maxAbs = 0;
  let maxRel = 0;
  let worstRatio = 0;
  let worst = -1;
  const n = opts.indices ? opts.indices.length : ref.length;
  for (let k = 0; k < n; k++) {
    const i = opts.indices ? opts.indices[k] : k;
    const a = actual[i];
    const r = ref[i];
    let ratio: number;
    if (!Number.isFinite(r) || !Number.isFinite(a)) {
      ratio = !Number.isFinite(r) && allowNonFinite === 'matching' && nonFiniteMatches(a, r) ? 0 : Infinity;
    } else {
      const diff = Math.abs(a - r);
      maxAbs = Math.max(maxAbs, diff);
      if (Math.abs(r) > 1e-6) maxRel = Math.max(maxRel, diff / Math.abs(r));
      const bound = atol + rtol * Math.abs(r);
      ratio = diff === 0 ? 0 : bound === 0 ? Infinity : diff / bound;
    }
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = i;
      if (ratio === Infinity) break;
    }
  }
  const ok = worstRatio <= 1;
  const message =
    worst < 0
      ? `${what}: all ${n} elements equal`
      : `${what}: worst element ${worst}: actual ${actual[worst]}, ref ${ref[worst]} (|Δ| / (atol + rtol·|ref|) = ${worstRatio.toPrecision(3)}, atol=${atol}, rtol=${rtol}, nonFinite=${allowNonFinite})`;
  return { ok, maxAbs, maxRel, worstRatio, worst, message };
}

/** Assert |actual − ref| ≤ atol + rtol·|ref| element-wise (plus the non-finite policy); returns the report. */
export function expectClose(actual: ArrayLike<number>, ref: ArrayLike<number>, opts: CloseOptions): CloseReport {
  const r = closeReport(actual, ref, opts);
  if (process.env.GPU_TOL_REPORT)
    console.log(
      `[tol] ${opts.what ?? 'values'}: maxAbs=${r.maxAbs.toExponential(2)} maxRel=${r.maxRel.toExponential(2)} (atol=${opts.atol.toExponential(1)} rtol=${opts.rtol})`,
    );
  if (!r.ok) expect.fail(r.message);
  return r;
}

/** Scalar form of expectClose. */
export function expectCloseScalar(actual: number, ref: number, opts: CloseOptions): CloseReport {
  return expectClose([actual], [ref], opts);
}

/** Print a scalar's achieved error under GPU_TOL_REPORT=1 (no assertion: pair it with an expect). */
export function reportScalar(what: string, got: number, ref: number): void {
  if (process.env.GPU_TOL_REPORT)
    console.log(`[tol] ${what}: abs=${Math.abs(got - ref).toExponential(2)} rel=${(Math.abs(got - ref) / Math.abs(ref)).toExponential(2)}`);
}
