// An optimiser's whole state as plain data, so a run interrupted inside a block continues exactly where it
// stopped (issue #14: a checkpoint every N steps and on cancel). Scalars by name, tensors as copies; restoring
// a snapshot and taking the next step gives the same numbers, bit for bit, as never having stopped.
import type { Vec } from '../ops/vec';

export interface OptimizerSnapshot {
  kind: 'prodigy' | 'adamw';
  scalars: Record<string, number>;
  /** Per parameter tensor, its state arrays in a fixed order (Prodigy: m, v, s, p0 when set; AdamW: m, v). */
  tensors: Vec[][];
}

export class OptimizerSnapshotError extends Error {
  constructor(message: string) {
    super(`${message}; the saved optimiser state belongs to another run: clear the checkpoint and start the block again`);
    this.name = 'OptimizerSnapshotError';
  }
}

/** Copy `src` into `dst` after checking they agree in length. */
export function copyInto(dst: Vec, src: ArrayLike<number>, what: string): void {
  if (dst.length !== src.length) throw new OptimizerSnapshotError(`${what}: ${src.length} values saved, ${dst.length} expected`);
  dst.set(src);
}

/** Check a snapshot's kind and its tensor count before restoring it. */
export function checkSnapshot(s: OptimizerSnapshot, kind: OptimizerSnapshot['kind'], tensors: number): void {
  if (s.kind !== kind) throw new OptimizerSnapshotError(`optimiser state of ${s.kind}, but the run uses ${kind}`);
  if (s.tensors.length !== tensors)
    throw new OptimizerSnapshotError(`optimiser state for ${s.tensors.length} tensors, ${tensors} expected`);
}
