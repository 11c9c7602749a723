// CPU reference forward of the whole model (f32 math, f64 accumulation inside the ops; 16-bit weights
// are widened a block or a vocabulary chunk at a time, docs/real-models.md §2):
//   x = embed[ids] (+ pos[t], gpt2);  per block: x += attn(norm(x)); x += mlp(norm(x));  logits = norm(x) · lm_headᵀ
// The block itself is src/core/ops/archBlock.ts (shared with BESA's reconstruction loss), so the pruning
// pipeline, the evaluator and the GPU tests agree on one definition; norm is RMSNorm (llama) or LayerNorm (gpt2).

import { archBlockForward } from '../core/ops/archBlock';
import { layernormForward } from '../core/ops/layernorm';
import { linearForward } from '../core/ops/linear';
import { rmsnormForward } from '../core/ops/rmsnorm';
import { blockToF32, type BlockWeights, type ModelSpec, type StoredWeights } from './spec';
import { isHalf, sliceToF32, type WeightArray } from './weightArray';

export class ForwardInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForwardInputError';
  }
}

/** Token ids → embeddings [T, C] (plus the learned position rows 0..T-1 when the model has them). */
export function embedCpu(spec: ModelSpec, weights: StoredWeights, ids: ArrayLike<number>): Float32Array {
  const C = spec.dim;
  const T = ids.length;
  if (T === 0) throw new ForwardInputError('forward: empty input; pass at least one token id');
  const pos = weights.posEmbed;
  if (pos && T > spec.maxSeqLen)
    throw new ForwardInputError(
      `forward: ${T} tokens, but this model has learned positions for ${spec.maxSeqLen}; use a sequence length ≤ ${spec.maxSeqLen}`,
    );
  const x = new Float32Array(T * C);
  for (let t = 0; t < T; t++) {
    const id = ids[t];
    if (!Number.isInteger(id) || id < 0 || id >= spec.vocabSize)
      throw new ForwardInputError(
        `forward: token id ${id} at position ${t} is outside the vocabulary [0, ${spec.vocabSize}); the ids come from another tokenizer`,
      );
    x.set(sliceToF32(weights.embed, id * C, (id + 1) * C), t * C);
    if (pos) {
      const p = sliceToF32(pos, t * C, (t + 1) * C);
      for (let c = 0; c < C; c++) x[t * C + c] += p[c];
    }
  }
  return x;
}

/** One decoder block, dense: X [T, C] → Y [T, C] (T inferred from X). */
export function blockForwardCpu(spec: ModelSpec, block: BlockWeights, X: Float32Array): Float32Array {
  const T = X.length / spec.dim;
  if (!Number.isInteger(T) || T === 0)
    throw new ForwardInputError(`blockForwardCpu: X has ${X.length} values, not a positive multiple of dim ${spec.dim}`);
  return archBlockForward(spec, block, null, X, T).y;
}

/** Vocabulary rows widened per chunk of a 16-bit LM head, so the f32 copy is never the whole [V, C]. */
const HEAD_CHUNK_ROWS = 4096;

/** The final norm [T, C]: RMSNorm, or LayerNorm (ln_f) for gpt2. */
export function finalNormCpu(spec: ModelSpec, weights: StoredWeights, X: Float32Array): Float32Array {
  const C = spec.dim;
  const T = X.length / C;
  if (spec.family !== 'gpt2') return rmsnormForward(X, weights.finalNorm, T, C, spec.normEps).y;
  return layernormForward(X, weights.finalNorm, weights.finalNormBias ?? new Float32Array(C), T, C, spec.normEps).y;
}

/** Final norm + LM head: X [T, C] → logits [T, V]. */
export function headCpu(spec: ModelSpec, weights: StoredWeights, X: Float32Array): Float32Array {
  return lmHeadCpu(finalNormCpu(spec, weights, X), weights.lmHead, X.length / spec.dim, spec.dim, spec.vocabSize);
}

/** logits [T, V] = y [T, C] · headᵀ, head [V, C] as stored (a 16-bit head is widened chunk by chunk). */
export function lmHeadCpu(y: Float32Array, head: WeightArray, T: number, C: number, V: number, linear = linearForward): Float32Array {
  if (!isHalf(head)) return linear(y, head, T, C, V);
  const logits = new Float32Array(T * V);
  for (let v0 = 0; v0 < V; v0 += HEAD_CHUNK_ROWS) {
    const n = Math.min(HEAD_CHUNK_ROWS, V - v0);
    const part = linear(y, sliceToF32(head, v0 * C, (v0 + n) * C), T, C, n); // [T, n]
    for (let t = 0; t < T; t++) logits.set(part.subarray(t * n, (t + 1) * n), t * V + v0);
  }
  return logits;
}

/** ids [T] → logits [T, V], row-major. */
export function forwardCpu(spec: ModelSpec, weights: StoredWeights, ids: ArrayLike<number>): Float32Array {
  let x = embedCpu(spec, weights, ids);
  for (const b of weights.blocks) x = blockForwardCpu(spec, blockToF32(b), x);
  return headCpu(spec, weights, x);
}

/**
 * The pluggable logits function the evaluators take (the GPU forward provides the same shape). An engine
 * may add `windowLosses`: every window's mean next-token CE at once, which perplexity then uses instead
 * of the logits (the WebGPU engine streams the model through the device block by block that way).
 */
export type ForwardLogits = ((ids: Int32Array) => Float32Array | Promise<Float32Array>) & {
  windowLosses?: (windows: readonly Int32Array[], onWindow: (done: number, lossW: number) => void) => Promise<number[]>;
};

export function cpuForwardLogits(spec: ModelSpec, weights: StoredWeights): ForwardLogits {
  return (ids) => forwardCpu(spec, weights, ids);
}
