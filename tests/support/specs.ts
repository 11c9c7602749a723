// The tiny model shapes every test builds (docs/architecture.md §9), and seeded random weights for them.
// Sizes are deliberately odd (not tile multiples), headDim is not dim/nHeads, and KV heads are grouped,
// so layout and indexing bugs show up. Tests vary a shape with an override: tinyModelSpec({ nLayers: 1 }).
import { Rng } from '../../src/core/rng';
import {
  LINEAR_NAMES,
  linearShapes,
  type BlockWeights,
  type LinearName,
  type LinearWeights,
  type ModelSpec,
  type ModelWeights,
} from '../../src/model/spec';

/** A whole model for loader/forward/eval/decoder tests: 2 layers, GQA 4:2, vocab 319. */
export function tinyModelSpec(over: Partial<ModelSpec> = {}): ModelSpec {
  return {
    family: 'llama',
    vocabSize: 319,
    dim: 24,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 2,
    headDim: 6,
    ffnDim: 40,
    maxSeqLen: 64,
    ropeTheta: 10000,
    normEps: 1e-5,
    ropeLayout: 'half',
    tiedEmbeddings: false,
    qkvBias: false,
    bosTokenId: 1,
    eosTokenId: 2,
    ...over,
  };
}

/** One decoder block for op/block/gradient tests: C = 12, MQA 3:1, headDim 6, ffn 10 (finite differences stay cheap). */
export function tinyBlockSpec(over: Partial<ModelSpec> = {}): ModelSpec {
  return {
    family: 'llama',
    vocabSize: 32,
    dim: 12,
    nLayers: 1,
    nHeads: 3,
    nKvHeads: 1,
    headDim: 6,
    ffnDim: 10,
    maxSeqLen: 16,
    ropeTheta: 10000,
    normEps: 1e-5,
    ropeLayout: 'half',
    tiedEmbeddings: false,
    qkvBias: false,
    ...over,
  };
}

/** Named shape variants (overrides of tinyModelSpec/tinyBlockSpec) shared by the CPU and GPU tiers. */
export const SPEC_SHAPES = {
  /** GQA 6:2 with headDim 10 (not a power of two). */
  gqa62: { nHeads: 6, nKvHeads: 2, headDim: 10, dim: 28, ffnDim: 50, vocabSize: 211 },
  /** MQA 3:1, interleaved RoPE, q/k/v bias, tied head, 3 layers. */
  mqa31Interleaved: {
    nHeads: 3,
    nKvHeads: 1,
    headDim: 8,
    dim: 20,
    ropeLayout: 'interleaved',
    qkvBias: true,
    tiedEmbeddings: true,
    vocabSize: 157,
    nLayers: 3,
  },
  /** Qwen2-style block: GQA 4:2, interleaved RoPE, q/k/v bias. */
  qwen2Block: { nHeads: 4, nKvHeads: 2, headDim: 4, ropeLayout: 'interleaved', qkvBias: true, family: 'qwen2' },
  /** Wide Qwen2-style block past one 64-tile: C = 100, headDim 32, ffn 130. */
  qwen2WideBlock: { dim: 100, nHeads: 4, nKvHeads: 2, headDim: 32, ffnDim: 130, ropeLayout: 'interleaved', qkvBias: true, family: 'qwen2' },
  /** llama2.c checkpoints: interleaved RoPE. */
  llama2c: { family: 'llama2c', ropeLayout: 'interleaved' },
} as const satisfies Record<string, Partial<ModelSpec>>;

/** Seeded random weights for a whole model (norm gains ≈ 1, W ~ N(0, 1/in)). */
export function randomWeights(spec: ModelSpec, seed: number): ModelWeights {
  const rng = new Rng(seed);
  const C = spec.dim;
  const shapes = linearShapes(spec);
  const norm = () => Float32Array.from({ length: C }, () => 1 + 0.1 * rng.normal());
  const blocks: BlockWeights[] = [];
  for (let l = 0; l < spec.nLayers; l++) {
    const b = { attnNorm: norm(), mlpNorm: norm() } as BlockWeights;
    for (const n of LINEAR_NAMES) {
      const [out, inn] = shapes[n];
      const lin: LinearWeights = { w: rng.normalArray(out * inn, 1 / Math.sqrt(inn)), out, in: inn };
      if (spec.qkvBias && (n === 'q' || n === 'k' || n === 'v')) lin.b = rng.normalArray(out, 0.1);
      b[n] = lin;
    }
    blocks.push(b);
  }
  const embed = rng.normalArray(spec.vocabSize * C, 1);
  return { embed, blocks, finalNorm: norm(), lmHead: spec.tiedEmbeddings ? embed : rng.normalArray(spec.vocabSize * C, 1 / Math.sqrt(C)) };
}

/** Seeded random weights for one block (norm gains uniform in [0.5, 1.5]). */
export function randomBlock(spec: ModelSpec, rng: Rng): BlockWeights {
  const shapes = linearShapes(spec);
  const lin = (n: LinearName) => {
    const [out, inp] = shapes[n];
    const b = spec.qkvBias && (n === 'q' || n === 'k' || n === 'v') ? rng.normalArray(out, 0.1) : undefined;
    return { w: rng.normalArray(out * inp, 1 / Math.sqrt(inp)), out, in: inp, ...(b ? { b } : {}) };
  };
  const norm = () => rng.uniformArray(spec.dim, 0.5, 1.5);
  const w = { attnNorm: norm(), mlpNorm: norm() } as BlockWeights;
  for (const n of LINEAR_NAMES) (w as unknown as Record<LinearName, unknown>)[n] = lin(n);
  return w;
}
