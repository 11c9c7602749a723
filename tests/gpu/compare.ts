// |gpu − ref| ≤ atol + rtol·|ref| (llm.c validate_result style), with the worst offender reported.
import { expect } from 'vitest';

export interface CloseReport {
  maxAbs: number;
  maxRel: number;
  worst: number;
}

export function expectClose(gpu: ArrayLike<number>, ref: ArrayLike<number>, atol: number, rtol: number, what = ''): CloseReport {
  expect(gpu.length, `${what}: length`).toBe(ref.length);
  let maxAbs = 0;
  let maxRel = 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = gpu[i];
    const r = ref[i];
    const diff = Math.abs(g - r);
    if (!Number.isFinite(g) && Number.isFinite(r)) {
      worst = i;
      worstExcess = Infinity;
      break;
    }
    maxAbs = Math.max(maxAbs, diff);
    if (Math.abs(r) > 1e-6) maxRel = Math.max(maxRel, diff / Math.abs(r));
    const excess = diff - (atol + rtol * Math.abs(r));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: index ${worst} gpu=${gpu[worst]} ref=${ref[worst]} exceeds atol=${atol} rtol=${rtol}`);
  }
  return { maxAbs, maxRel, worst };
}
