// LM head on the GPU: logits = x · Wᵀ with W [V, C] held as a chunked VocabTable.
//  - lmHeadNll: per-token NLL [T] via cross_entropy.wgsl, logits computed `cols` vocabulary
//    entries at a time into a [T, cols] scratch, so large vocabularies never need [T, V] (docs/besa.md §5).
//  - lmHeadLogits: the full logits [T, V] (small vocabularies; read back by gpuForwardLogits).
import { ShapeError } from '../errors';
import type { GpuRuntime } from '../runtime';
import type { VocabTable } from '../vocabTable';
import { crossEntropyStep } from './crossEntropy';
import { matmul } from './matmul';

function checkX(x: GPUBuffer, T: number, C: number): void {
  if (!Number.isInteger(T) || T <= 0) throw new ShapeError(`lm head: T must be a positive integer, got ${T}.`);
  if (x.size < T * C * 4) throw new ShapeError(`lm head: x ("${x.label}") holds ${x.size / 4} floats, needs T·C = ${T}·${C}.`);
}

export interface LmHeadNllOptions {
  /** Vocabulary columns per logits step (default: as many as a [T, cols] binding holds, capped at 8192). */
  cols?: number;
  nll?: GPUBuffer;
  state?: GPUBuffer;
}

/**
 * x [T, C] (final-normed hidden states), targets [T] u32 (NO_TARGET where none) → nll [T] and
 * state [T, 4] = (max, sum-exp, target logit, lse). Nothing is read back.
 */
export function lmHeadNll(
  rt: GpuRuntime,
  x: GPUBuffer,
  head: VocabTable,
  targets: GPUBuffer,
  T: number,
  opts: LmHeadNllOptions = {},
): { nll: GPUBuffer; state: GPUBuffer } {
  const { C } = head;
  checkX(x, T, C);
  const limit = Math.min(rt.caps.limits.maxStorageBufferBindingSize, rt.caps.limits.maxBufferSize);
  const cols = opts.cols ?? Math.max(1, Math.min(8192, Math.floor(limit / (4 * T))));
  if (!Number.isInteger(cols) || cols < 1) throw new ShapeError(`lm head: cols must be a positive integer, got ${cols}.`);
  const maxRows = Math.max(...head.chunks.map((c) => c.rows));
  const width = Math.min(cols, maxRows);
  const logits = rt.createBuffer(T * width * 4, 'head.logitsChunk');
  const nll = opts.nll ?? rt.createBuffer(T * 4, 'head.nll');
  const state = opts.state ?? rt.createBuffer(T * 16, 'head.state');
  let first = true;
  head.chunks.forEach((ch, ci) => {
    for (let r0 = 0; r0 < ch.rows; r0 += width) {
      const n = Math.min(width, ch.rows - r0);
      // logits[:, 0:n] (T×n) = x (T×C) · W[v0+r0 : v0+r0+n]ᵀ
      matmul(rt, x, ch.buffer, logits, { M: T, N: n, K: C, sAm: C, sAk: 1, offB: r0 * C, sBk: 1, sBn: C, ldc: width });
      const last = ci === head.chunks.length - 1 && r0 + n >= ch.rows;
      crossEntropyStep(rt, logits, targets, state, nll, { T, n, v0: ch.v0 + r0, ldl: width, first, last });
      first = false;
    }
  });
  rt.flush();
  rt.destroy(logits);
  return { nll, state };
}

/** x [T, C] → logits [T, V] in one buffer (throws BufferTooLargeError when T·V does not fit). */
export function lmHeadLogits(rt: GpuRuntime, x: GPUBuffer, head: VocabTable, T: number, out?: GPUBuffer): GPUBuffer {
  const { C, V } = head;
  checkX(x, T, C);
  const logits = out ?? rt.createBuffer(T * V * 4, 'head.logits');
  if (logits.size < T * V * 4)
    throw new ShapeError(`lm head: out ("${logits.label}") holds ${logits.size / 4} floats, needs T·V = ${T}·${V}.`);
  for (const ch of head.chunks) {
    matmul(rt, x, ch.buffer, logits, { M: T, N: ch.rows, K: C, sAm: C, sAk: 1, sBk: 1, sBn: C, offC: ch.v0, ldc: V });
  }
  return logits;
}
