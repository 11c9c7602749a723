// HF tensor names ⇄ ModelWeights, with shape validation, plus the RoPE layout conversion between
// llama2.c (interleaved pairs 2j, 2j+1) and HF (rotate-half pairs j, j + D/2).

import { MissingTensorError, ModelExportError, TensorShapeError } from './errors';
import { GPT2_HF_LINEAR, gpt2WeightsFromHf, gpt2WeightsToHf } from './gpt2Weights';
import type { TensorStore, TensorToWrite } from './safetensors';
import {
  LINEAR_NAMES,
  linearOf,
  linearShapes,
  type LinearName,
  type LinearWeights,
  type ModelSpec,
  type StoredBlock,
  type StoredWeights,
} from './spec';
import { halfArray, isHalf, type WeightArray } from './weightArray';

/** The HF module name of each LLaMA linear inside model.layers.N (also the order of model.named_modules()). */
export const HF_LINEAR: Partial<Record<LinearName, string>> = {
  q: 'self_attn.q_proj',
  k: 'self_attn.k_proj',
  v: 'self_attn.v_proj',
  o: 'self_attn.o_proj',
  gate: 'mlp.gate_proj',
  up: 'mlp.up_proj',
  down: 'mlp.down_proj',
};
/** The HF module a linear of block i lives in (GPT-2's q, k, v all live in the fused c_attn). */
export function hfModuleName(spec: ModelSpec, i: number, n: LinearName): string {
  if (spec.family === 'gpt2') return `transformer.h.${i}.${GPT2_HF_LINEAR[n as keyof typeof GPT2_HF_LINEAR]}`;
  return `model.layers.${i}.${HF_LINEAR[n]}`;
}

const hasBias = (spec: ModelSpec, n: LinearName) => spec.qkvBias && (n === 'q' || n === 'k' || n === 'v');

/**
 * Read and shape-check every weight named by the HF convention for `spec`. Matrices stay in the file's
 * dtype (docs/real-models.md §2); norms and biases are widened to f32.
 */
export function weightsFromHf(spec: ModelSpec, store: TensorStore): StoredWeights {
  if (spec.family === 'gpt2') return gpt2WeightsFromHf(spec, store);
  const check = (name: string, shape: number[]): void => {
    if (!store.has(name)) {
      const hint =
        name === 'lm_head.weight'
          ? 'config.json says tie_word_embeddings=false, so the checkpoint must contain lm_head.weight.'
          : undefined;
      throw new MissingTensorError(store.fileOf(name), name, hint);
    }
    const got = store.info(name).shape;
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) throw new TensorShapeError(store.fileOf(name), name, shape, got);
  };
  const get = (name: string, shape: number[]): Float32Array => (check(name, shape), store.f32(name));
  const matrix = (name: string, shape: number[]): WeightArray => (check(name, shape), store.stored(name));
  const C = spec.dim;
  const shapes = linearShapes(spec);
  const blocks: StoredBlock[] = [];
  for (let i = 0; i < spec.nLayers; i++) {
    const p = `model.layers.${i}.`;
    const lin = (n: LinearName): LinearWeights<WeightArray> => {
      const [out, inn] = shapes[n];
      const l: LinearWeights<WeightArray> = { w: matrix(`${p}${HF_LINEAR[n]}.weight`, [out, inn]), out, in: inn };
      if (hasBias(spec, n)) l.b = get(`${p}${HF_LINEAR[n]}.bias`, [out]);
      return l;
    };
    blocks.push({
      attnNorm: get(`${p}input_layernorm.weight`, [C]),
      mlpNorm: get(`${p}post_attention_layernorm.weight`, [C]),
      q: lin('q'),
      k: lin('k'),
      v: lin('v'),
      o: lin('o'),
      gate: lin('gate'),
      up: lin('up'),
      down: lin('down'),
    });
  }
  const embed = matrix('model.embed_tokens.weight', [spec.vocabSize, C]);
  // Tied: the head IS the embedding (some tied checkpoints still store a copy of lm_head; ignore it).
  const lmHead = spec.tiedEmbeddings ? embed : matrix('lm_head.weight', [spec.vocabSize, C]);
  return { embed, blocks, finalNorm: get('model.norm.weight', [C]), lmHead };
}

/** Weights → HF-named tensors (the names and dtypes a loaded checkpoint had), ready for writeSafetensors. */
export function weightsToHf(spec: ModelSpec, w: StoredWeights): Map<string, TensorToWrite> {
  if (spec.family === 'gpt2') return gpt2WeightsToHf(spec, w);
  if (spec.ropeLayout !== 'half')
    throw new ModelExportError('weightsToHf', "HF expects rotate-half RoPE; convert with convertRopeLayout(spec, weights, 'half') first");
  const C = spec.dim;
  const m = new Map<string, TensorToWrite>();
  m.set('model.embed_tokens.weight', { shape: [spec.vocabSize, C], data: w.embed });
  w.blocks.forEach((b, i) => {
    const p = `model.layers.${i}.`;
    m.set(`${p}input_layernorm.weight`, { shape: [C], data: b.attnNorm });
    m.set(`${p}post_attention_layernorm.weight`, { shape: [C], data: b.mlpNorm });
    for (const n of LINEAR_NAMES) {
      const l = linearOf(b, n);
      m.set(`${p}${HF_LINEAR[n]}.weight`, { shape: [l.out, l.in], data: l.w });
      if (l.b) m.set(`${p}${HF_LINEAR[n]}.bias`, { shape: [l.out], data: l.b });
    }
  });
  m.set('model.norm.weight', { shape: [C], data: w.finalNorm });
  if (!spec.tiedEmbeddings) m.set('lm_head.weight', { shape: [spec.vocabSize, C], data: w.lmHead });
  return m;
}

/**
 * Permute the rows of a q/k projection W [nh*D, in] (and bias [nh*D]) between RoPE layouts.
 * HF's convert_llama_weights_to_hf `permute`: HF row h*D + i*D/2 + j  ←  interleaved row h*D + 2j + i.
 */
export function permuteRopeRows<T extends Float32Array | Uint16Array>(
  w: T,
  nHeads: number,
  headDim: number,
  cols: number,
  to: 'half' | 'interleaved',
): T {
  const out = (w instanceof Float32Array ? new Float32Array(w.length) : new Uint16Array(w.length)) as T;
  const half = headDim / 2;
  for (let h = 0; h < nHeads; h++)
    for (let j = 0; j < half; j++)
      for (let i = 0; i < 2; i++) {
        const hfRow = h * headDim + i * half + j;
        const ilRow = h * headDim + 2 * j + i;
        const [dst, src] = to === 'half' ? [hfRow, ilRow] : [ilRow, hfRow];
        out.set(w.subarray(src * cols, (src + 1) * cols) as never, dst * cols);
      }
  return out;
}

/** Convert a model between RoPE layouts by permuting q/k rows; everything else is shared (not copied). */
export function convertRopeLayout<W extends StoredWeights>(
  spec: ModelSpec,
  w: W,
  to: 'half' | 'interleaved',
): { spec: ModelSpec; weights: W } {
  if (spec.ropeLayout === to) return { spec, weights: w };
  const D = spec.headDim;
  const rows = (a: WeightArray, nh: number, cols: number): WeightArray =>
    isHalf(a) ? halfArray(a.dtype, permuteRopeRows(a.bits, nh, D, cols, to)) : permuteRopeRows(a, nh, D, cols, to);
  const perm = <L extends LinearWeights<WeightArray>>(l: L, nh: number): L => ({
    ...l,
    w: rows(l.w, nh, l.in),
    ...(l.b ? { b: permuteRopeRows(l.b, nh, D, 1, to) } : {}),
  });
  return {
    spec: { ...spec, ropeLayout: to, family: spec.family === 'llama2c' && to === 'half' ? 'llama' : spec.family },
    weights: { ...w, blocks: w.blocks.map((b) => ({ ...b, q: perm(b.q, spec.nHeads), k: perm(b.k, spec.nKvHeads) })) } as W,
  };
}
