// CPU reference forward of the whole model (f32 storage, f64 accumulation inside the ops):
//   x = embed[ids];  per block: x += attn(rmsnorm(x)); x += mlp(rmsnorm(x));  logits = rmsnorm(x) · lm_headᵀ
// The block itself is src/core/ops/block.ts (blockForwardRef, shared with BESA's reconstruction
// loss), so the pruning pipeline, the evaluator and the GPU tests agree on one definition.

import { blockForwardRef } from '../core/ops/block';
import { linearForward } from '../core/ops/linear';
import { rmsnormForward } from '../core/ops/rmsnorm';
import type { BlockWeights, ModelSpec, ModelWeights } from './spec';

export class ForwardInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForwardInputError';
  }
}

/** Token ids → embeddings [T, C]. */
export function embedCpu(spec: ModelSpec, weights: ModelWeights, ids: ArrayLike<number>): Float32Array {
  const C = spec.dim;
  const T = ids.length;
  if (T === 0) throw new ForwardInputError('forward: empty input; pass at least one token id');
  const x = new Float32Array(T * C);
  for (let t = 0; t < T; t++) {
    const id = ids[t];
    if (!Number.isInteger(id) || id < 0 || id >= spec.vocabSize)
      throw new ForwardInputError(
        `forward: token id ${id} at position ${t} is outside the vocabulary [0, ${spec.vocabSize}); the ids come from another tokenizer`,
      );
    x.set(weights.embed.subarray(id * C, (id + 1) * C), t * C);
  }
  return x;
}

/** One decoder block, dense: X [T, C] → Y [T, C] (T inferred from X). */
export function blockForwardCpu(spec: ModelSpec, block: BlockWeights, X: Float32Array): Float32Array {
  const T = X.length / spec.dim;
  if (!Number.isInteger(T) || T === 0)
    throw new ForwardInputError(`blockForwardCpu: X has ${X.length} values, not a positive multiple of dim ${spec.dim}`);
  return blockForwardRef(spec, block, null, X, T).y;
}

/** Final RMSNorm + LM head: X [T, C] → logits [T, V]. */
export function headCpu(spec: ModelSpec, weights: ModelWeights, X: Float32Array): Float32Array {
  const C = spec.dim;
  const T = X.length / C;
  const { y } = rmsnormForward(X, weights.finalNorm, T, C, spec.normEps);
  return linearForward(y, weights.lmHead, T, C, spec.vocabSize);
}

/** ids [T] → logits [T, V], row-major. */
export function forwardCpu(spec: ModelSpec, weights: ModelWeights, ids: ArrayLike<number>): Float32Array {
  let x = embedCpu(spec, weights, ids);
  for (const b of weights.blocks) x = blockForwardCpu(spec, b, x);
  return headCpu(spec, weights, x);
}

/** The pluggable logits function the evaluators take (the GPU forward provides the same shape). */
export type ForwardLogits = (ids: Int32Array) => Float32Array | Promise<Float32Array>;

export function cpuForwardLogits(spec: ModelSpec, weights: ModelWeights): ForwardLogits {
  return (ids) => forwardCpu(spec, weights, ids);
}
