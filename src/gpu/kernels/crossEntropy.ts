// Wrapper for shaders/cross_entropy.wgsl: one online log-sum-exp / NLL step over a chunk of logits.
import { ShapeError } from '../errors';
import type { GpuRuntime } from '../runtime';
import { crossEntropyKernel } from './descriptors';

/** Target id meaning "no prediction at this position" (the last token of a window). */
export const NO_TARGET = 0xffffffff;

export interface CrossEntropyStep {
  T: number;
  /** Columns (vocabulary entries) in this chunk. */
  n: number;
  /** Vocabulary id of column 0. */
  v0: number;
  /** Row stride of the logits buffer (>= n). */
  ldl: number;
  first: boolean;
  last: boolean;
}

/**
 * Fold logits [T, ldl] (columns v0..v0+n−1) into state [T, 4] = (max, sum-exp, target logit, lse);
 * on the last step write nll [T] = lse − logit[target] (0 where targets[t] = NO_TARGET).
 */
export function crossEntropyStep(
  rt: GpuRuntime,
  logits: GPUBuffer /*[T,ldl]*/,
  targets: GPUBuffer /*[T] u32*/,
  state: GPUBuffer /*[T,4]*/,
  nll: GPUBuffer /*[T]*/,
  s: CrossEntropyStep,
): void {
  if (s.T <= 0 || s.n <= 0 || s.ldl < s.n)
    throw new ShapeError(`cross entropy: need T > 0, n > 0, ldl >= n (got T=${s.T} n=${s.n} ldl=${s.ldl}).`);
  if (s.T > rt.caps.limits.maxComputeWorkgroupsPerDimension)
    throw new ShapeError(`cross entropy: T=${s.T} rows exceed one dispatch; use a shorter sequence.`);
  const need: [string, GPUBuffer, number][] = [
    ['logits', logits, (s.T - 1) * s.ldl + s.n],
    ['targets', targets, s.T],
    ['state', state, s.T * 4],
    ['nll', nll, s.T],
  ];
  for (const [name, b, n] of need) {
    if (b.size < n * 4) throw new ShapeError(`cross entropy: ${name} ("${b.label}") holds ${b.size / 4} values, needs ${n}.`);
  }
  rt.run(crossEntropyKernel, 'main', {
    params: { T: s.T, n: s.n, v0: s.v0, ldl: s.ldl, first: s.first ? 1 : 0, last: s.last ? 1 : 0 },
    buffers: { logits, targets, state, nll },
    workgroups: [s.T],
  });
}
