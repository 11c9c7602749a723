// ModelSpec: the architecture facts every part of the engine needs, independent of the file format
// it came from (HF config.json, llama2.c header). LLaMA family only: RMSNorm, RoPE, SwiGLU, GQA.
// Shapes follow PyTorch/HF: a linear's W is [out, in] and y = x Wᵀ (+ b).

import { isHalf, storeLike, toF32, type WeightArray } from './weightArray';

export type ModelFamily = 'llama' | 'mistral' | 'qwen2' | 'llama2c';

/** 'half' = HF "rotate half" (pairs i and i + D/2); 'interleaved' = llama2.c pairs (2i, 2i+1). */
export type RopeLayout = 'half' | 'interleaved';

export interface ModelSpec {
  family: ModelFamily;
  vocabSize: number;
  dim: number; // hidden size C
  nLayers: number;
  nHeads: number;
  nKvHeads: number; // GQA: nHeads % nKvHeads === 0
  headDim: number; // usually dim / nHeads, but HF allows an explicit head_dim
  ffnDim: number; // SwiGLU intermediate size F
  maxSeqLen: number;
  ropeTheta: number;
  normEps: number;
  ropeLayout: RopeLayout;
  tiedEmbeddings: boolean;
  qkvBias: boolean; // qwen2 has biases on q/k/v
  bosTokenId?: number;
  eosTokenId?: number;
}

/** The 7 prunable linears of a block, in the order used everywhere (events, reports, charts). */
export const LINEAR_NAMES = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const;
export type LinearName = (typeof LINEAR_NAMES)[number];

/**
 * A frozen linear layer. w is [out, in] row-major; b (optional) is [out]. `A` is Float32Array for the
 * block the math works on, WeightArray (f32 or 16-bit, as the file stores it) for a whole loaded model
 * (docs/real-models.md §2). Biases and norms are tiny and always f32.
 */
export interface LinearWeights<A extends WeightArray = Float32Array> {
  w: A;
  out: number;
  in: number;
  b?: Float32Array;
}

export interface BlockWeights<A extends WeightArray = Float32Array> {
  attnNorm: Float32Array; // [C]
  mlpNorm: Float32Array; // [C]
  q: LinearWeights<A>; // [nHeads*headDim, C]
  k: LinearWeights<A>; // [nKvHeads*headDim, C]
  v: LinearWeights<A>; // [nKvHeads*headDim, C]
  o: LinearWeights<A>; // [C, nHeads*headDim]
  gate: LinearWeights<A>; // [F, C]
  up: LinearWeights<A>; // [F, C]
  down: LinearWeights<A>; // [C, F]
}

/** A whole model's weights: f32 throughout, or (StoredWeights) in the checkpoint's own dtype. */
export interface ModelWeights<A extends WeightArray = Float32Array> {
  embed: A; // [V, C]
  blocks: BlockWeights<A>[];
  finalNorm: Float32Array; // [C]
  lmHead: A; // [V, C]; the same array as embed when tiedEmbeddings
}

/** A loaded model's weights, each matrix in its file's dtype (f32 models: plain Float32Arrays). */
export type StoredWeights = ModelWeights<WeightArray>;
export type StoredBlock = BlockWeights<WeightArray>;

/**
 * One block in f32 for the math (docs/real-models.md §2): 16-bit linears are widened into fresh arrays;
 * a block that is already f32 is returned as the same object (no copy, same identity).
 */
export function blockToF32(b: StoredBlock): BlockWeights {
  if (LINEAR_NAMES.every((n) => !isHalf(b[n].w))) return b as BlockWeights;
  const out = { ...b } as unknown as BlockWeights;
  for (const n of LINEAR_NAMES) out[n] = { ...b[n], w: toF32(b[n].w) };
  return out;
}

/** A pruned f32 block stored like `like` (each linear back in its checkpoint dtype; f32 stays as is). */
export function blockStoredLike(like: StoredBlock, b: BlockWeights): StoredBlock {
  const out: StoredBlock = { ...b };
  for (const n of LINEAR_NAMES) out[n] = { ...b[n], w: storeLike(like[n].w, b[n].w) };
  return out;
}

/** Shape of each linear of a block, [out, in]. */
export function linearShapes(spec: ModelSpec): Record<LinearName, [number, number]> {
  const C = spec.dim;
  const qd = spec.nHeads * spec.headDim;
  const kvd = spec.nKvHeads * spec.headDim;
  return {
    q: [qd, C],
    k: [kvd, C],
    v: [kvd, C],
    o: [C, qd],
    gate: [spec.ffnDim, C],
    up: [spec.ffnDim, C],
    down: [C, spec.ffnDim],
  };
}

/** Every matrix in f32: the same object when the model already is (tests, f32-only formats), else widened copies. */
export function weightsToF32(w: StoredWeights): ModelWeights {
  const isF32 = (a: WeightArray): a is Float32Array => !isHalf(a);
  if (isF32(w.embed) && isF32(w.lmHead) && w.blocks.every((b) => LINEAR_NAMES.every((n) => isF32(b[n].w)))) return w as ModelWeights;
  const embed = toF32(w.embed);
  return { ...w, embed, lmHead: w.lmHead === w.embed ? embed : toF32(w.lmHead), blocks: w.blocks.map(blockToF32) };
}
