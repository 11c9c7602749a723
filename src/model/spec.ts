// ModelSpec: the architecture facts every part of the engine needs, independent of the file format
// it came from (HF config.json, llama2.c header). Two block architectures (docs/gpt2.md §2): the LLaMA
// family (RMSNorm, RoPE, SwiGLU, GQA) and GPT-2 (LayerNorm with bias, learned positions, GELU MLP,
// biases on every linear). Shapes follow PyTorch/HF: a linear's W is [out, in] and y = x Wᵀ (+ b).

import { isHalf, storeLike, toF32, type WeightArray } from './weightArray';

export type ModelFamily = 'llama' | 'mistral' | 'qwen2' | 'llama2c' | 'gpt2';

/** The block's layout: which norms, positions, MLP and linears it has (docs/gpt2.md §2). */
export type BlockArch = 'llama' | 'gpt2';

export function blockArch(spec: Pick<ModelSpec, 'family'>): BlockArch {
  return spec.family === 'gpt2' ? 'gpt2' : 'llama';
}

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
  ffnDim: number; // MLP intermediate size F (SwiGLU for llama, GELU for gpt2: 4C unless n_inner says)
  maxSeqLen: number;
  ropeTheta: number; // unused by gpt2 (learned positions)
  normEps: number; // RMSNorm eps (llama) or LayerNorm eps (gpt2)
  ropeLayout: RopeLayout;
  tiedEmbeddings: boolean;
  qkvBias: boolean; // qwen2 has biases on q/k/v
  bosTokenId?: number;
  eosTokenId?: number;
}

/** The 7 prunable linears of a LLaMA block, in the order used everywhere (events, reports, charts). */
export const LINEAR_NAMES = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const;
/**
 * GPT-2's 6: q, k, v are the three column blocks of the fused `attn.c_attn` (each its own allocation),
 * o = `attn.c_proj`, fc = `mlp.c_fc`, proj = `mlp.c_proj` (docs/gpt2.md §1).
 */
export const GPT2_LINEAR_NAMES = ['q', 'k', 'v', 'o', 'fc', 'proj'] as const;
export type LinearName = (typeof LINEAR_NAMES)[number] | (typeof GPT2_LINEAR_NAMES)[number];

/** The prunable linears of `spec`'s blocks, in their fixed order. */
export function linearNames(spec: Pick<ModelSpec, 'family'>): readonly LinearName[] {
  return blockArch(spec) === 'gpt2' ? GPT2_LINEAR_NAMES : LINEAR_NAMES;
}

/** The linears a block holds (the same list as linearNames of its model). */
export function blockLinearNames(b: BlockWeights<WeightArray>): readonly LinearName[] {
  return b.fc ? GPT2_LINEAR_NAMES : LINEAR_NAMES;
}

/** The linears a per-linear record (sparsities, counts, masks) is keyed by: GPT-2's when it has 'fc'. */
export function recordLinearNames(rec: object): readonly LinearName[] {
  return 'fc' in rec ? GPT2_LINEAR_NAMES : LINEAR_NAMES;
}

/** The names the charts, reports and exports show: HF's own module names per architecture. */
export function linearLabel(spec: Pick<ModelSpec, 'family'>, n: LinearName): string {
  if (blockArch(spec) !== 'gpt2') return n;
  return { q: 'c_attn.q', k: 'c_attn.k', v: 'c_attn.v', o: 'attn.c_proj', fc: 'mlp.c_fc', proj: 'mlp.c_proj' }[n as 'q'] ?? n;
}

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

/**
 * One block. LLaMA blocks have gate/up/down; GPT-2 blocks have fc/proj and LayerNorm biases (docs/gpt2.md §2).
 * Read an optional linear with linearOf(), which names what is missing.
 */
export interface BlockWeights<A extends WeightArray = Float32Array> {
  attnNorm: Float32Array; // [C] RMSNorm weight (llama) / ln_1.weight (gpt2)
  mlpNorm: Float32Array; // [C] / ln_2.weight
  attnNormBias?: Float32Array; // [C] ln_1.bias (gpt2; absent for nanoGPT bias=False)
  mlpNormBias?: Float32Array; // [C] ln_2.bias
  q: LinearWeights<A>; // [nHeads*headDim, C]
  k: LinearWeights<A>; // [nKvHeads*headDim, C]
  v: LinearWeights<A>; // [nKvHeads*headDim, C]
  o: LinearWeights<A>; // [C, nHeads*headDim]
  gate?: LinearWeights<A>; // [F, C] llama
  up?: LinearWeights<A>; // [F, C] llama
  down?: LinearWeights<A>; // [C, F] llama
  fc?: LinearWeights<A>; // [F, C] gpt2
  proj?: LinearWeights<A>; // [C, F] gpt2
}

/** block[n], or a named error when this block's architecture has no such linear. */
export function linearOf<A extends WeightArray>(b: BlockWeights<A>, n: LinearName): LinearWeights<A> {
  const l = b[n];
  if (!l) throw new Error(`linearOf: this block has no linear '${n}' (it has ${blockLinearNames(b).join(', ')})`);
  return l;
}

/** A whole model's weights: f32 throughout, or (StoredWeights) in the checkpoint's own dtype. */
export interface ModelWeights<A extends WeightArray = Float32Array> {
  embed: A; // [V, C]
  posEmbed?: A; // [P, C] learned positions (gpt2)
  blocks: BlockWeights<A>[];
  finalNorm: Float32Array; // [C]
  finalNormBias?: Float32Array; // [C] ln_f.bias (gpt2)
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
  const names = blockLinearNames(b);
  if (names.every((n) => !isHalf(linearOf(b, n).w))) return b as BlockWeights;
  const out = { ...b } as unknown as BlockWeights;
  for (const n of names) out[n] = { ...linearOf(b, n), w: toF32(linearOf(b, n).w) };
  return out;
}

/** A pruned f32 block stored like `like` (each linear back in its checkpoint dtype; f32 stays as is). */
export function blockStoredLike(like: StoredBlock, b: BlockWeights): StoredBlock {
  const out: StoredBlock = { ...b };
  for (const n of blockLinearNames(b)) out[n] = { ...linearOf(b, n), w: storeLike(linearOf(like, n).w, linearOf(b, n).w) };
  return out;
}

/** Shape of each linear of a block, [out, in]: the entries of linearNames(spec), and only those. */
export function linearShapes(spec: ModelSpec): Record<LinearName, [number, number]> {
  const C = spec.dim;
  const F = spec.ffnDim;
  const qd = spec.nHeads * spec.headDim;
  const kvd = spec.nKvHeads * spec.headDim;
  const attn = { q: [qd, C], k: [kvd, C], v: [kvd, C], o: [C, qd] } as Record<LinearName, [number, number]>;
  return blockArch(spec) === 'gpt2' ? { ...attn, fc: [F, C], proj: [C, F] } : { ...attn, gate: [F, C], up: [F, C], down: [C, F] };
}

/** Every matrix in f32: the same object when the model already is (tests, f32-only formats), else widened copies. */
export function weightsToF32(w: StoredWeights): ModelWeights {
  const isF32 = (a: WeightArray): a is Float32Array => !isHalf(a);
  const posF32 = !w.posEmbed || isF32(w.posEmbed);
  if (isF32(w.embed) && isF32(w.lmHead) && posF32 && w.blocks.every((b) => blockLinearNames(b).every((n) => isF32(linearOf(b, n).w))))
    return w as ModelWeights;
  const embed = toF32(w.embed);
  const posEmbed = w.posEmbed ? toF32(w.posEmbed) : undefined;
  return { ...w, embed, posEmbed, lmHead: w.lmHead === w.embed ? embed : toF32(w.lmHead), blocks: w.blocks.map(blockToF32) };
}
