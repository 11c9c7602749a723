// ModelSpec: the architecture facts every part of the engine needs, independent of the file format
// it came from (HF config.json, llama2.c header). LLaMA family only: RMSNorm, RoPE, SwiGLU, GQA.
// Shapes follow PyTorch/HF: a linear's W is [out, in] and y = x Wᵀ (+ b).

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

/** A frozen linear layer. w is [out, in] row-major; b (optional) is [out]. */
export interface LinearWeights {
  w: Float32Array;
  out: number;
  in: number;
  b?: Float32Array;
}

export interface BlockWeights {
  attnNorm: Float32Array; // [C]
  mlpNorm: Float32Array; // [C]
  q: LinearWeights; // [nHeads*headDim, C]
  k: LinearWeights; // [nKvHeads*headDim, C]
  v: LinearWeights; // [nKvHeads*headDim, C]
  o: LinearWeights; // [C, nHeads*headDim]
  gate: LinearWeights; // [F, C]
  up: LinearWeights; // [F, C]
  down: LinearWeights; // [C, F]
}

export interface ModelWeights {
  embed: Float32Array; // [V, C]
  blocks: BlockWeights[];
  finalNorm: Float32Array; // [C]
  lmHead: Float32Array; // [V, C]; the same array as embed when tiedEmbeddings
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
