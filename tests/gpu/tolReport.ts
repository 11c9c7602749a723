// expectClose plus an optional report of the achieved error: set GPU_TOL_REPORT=1 to print the
// max absolute and relative deviation of every comparison (used to state achieved tolerances).
import { expectClose, type CloseReport } from './compare';

export function checkClose(gpu: ArrayLike<number>, ref: ArrayLike<number>, atol: number, rtol: number, what: string): CloseReport {
  const r = expectClose(gpu, ref, atol, rtol, what);
  if (process.env.GPU_TOL_REPORT) console.log(`[tol] ${what}: maxAbs=${r.maxAbs.toExponential(2)} maxRel=${r.maxRel.toExponential(2)} (atol=${atol.toExponential(1)} rtol=${rtol})`);
  return r;
}

/** Report a scalar comparison (e.g. a loss) the same way. */
export function reportScalar(what: string, got: number, ref: number): void {
  if (process.env.GPU_TOL_REPORT) console.log(`[tol] ${what}: abs=${Math.abs(got - ref).toExponential(2)} rel=${(Math.abs(got - ref) / Math.abs(ref)).toExponential(2)}`);
}
