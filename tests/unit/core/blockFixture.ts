// A tiny random LLaMA block for tests: dims deliberately odd and headDim != dim/nHeads.
import { LINEAR_NAMES, linearShapes, type BlockWeights, type LinearName, type ModelSpec, type RopeLayout } from '../../../src/model/spec';
import { Rng } from '../../../src/core/rng';

export function tinySpec(over: Partial<ModelSpec> = {}): ModelSpec {
  return {
    family: 'llama', vocabSize: 32, dim: 12, nLayers: 1, nHeads: 3, nKvHeads: 1, headDim: 6, ffnDim: 10,
    maxSeqLen: 16, ropeTheta: 10000, normEps: 1e-5, ropeLayout: 'half' as RopeLayout, tiedEmbeddings: false,
    qkvBias: false, ...over,
  };
}

export function randomBlock(spec: ModelSpec, rng: Rng): BlockWeights {
  const shapes = linearShapes(spec);
  const lin = (n: LinearName) => {
    const [out, inp] = shapes[n];
    const b = spec.qkvBias && (n === 'q' || n === 'k' || n === 'v') ? rng.normalArray(out, 0.1) : undefined;
    return { w: rng.normalArray(out * inp, 1 / Math.sqrt(inp)), out, in: inp, ...(b ? { b } : {}) };
  };
  const norm = () => {
    const a = rng.uniformArray(spec.dim, 0.5, 1.5);
    return a;
  };
  const w = { attnNorm: norm(), mlpNorm: norm() } as BlockWeights;
  for (const n of LINEAR_NAMES) (w as unknown as Record<LinearName, unknown>)[n] = lin(n);
  return w;
}
