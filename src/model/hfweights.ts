// HF tensor names ⇄ ModelWeights, with shape validation, plus the RoPE layout conversion between
// llama2.c (interleaved pairs 2j, 2j+1) and HF (rotate-half pairs j, j + D/2).

import { MissingTensorError, ModelExportError, TensorShapeError } from './errors';
import type { TensorStore, TensorToWrite } from './safetensors';
import {
  LINEAR_NAMES,
  linearShapes,
  type BlockWeights,
  type LinearName,
  type LinearWeights,
  type ModelSpec,
  type ModelWeights,
} from './spec';

const HF_LINEAR: Record<LinearName, string> = {
  q: 'self_attn.q_proj',
  k: 'self_attn.k_proj',
  v: 'self_attn.v_proj',
  o: 'self_attn.o_proj',
  gate: 'mlp.gate_proj',
  up: 'mlp.up_proj',
  down: 'mlp.down_proj',
};
const hasBias = (spec: ModelSpec, n: LinearName) => spec.qkvBias && (n === 'q' || n === 'k' || n === 'v');

/** Read and shape-check every weight named by the HF convention for `spec`. */
export function weightsFromHf(spec: ModelSpec, store: TensorStore): ModelWeights {
  const get = (name: string, shape: number[]): Float32Array => {
    if (!store.has(name)) {
      const hint =
        name === 'lm_head.weight'
          ? 'config.json says tie_word_embeddings=false, so the checkpoint must contain lm_head.weight.'
          : undefined;
      throw new MissingTensorError(store.fileOf(name), name, hint);
    }
    const got = store.info(name).shape;
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) throw new TensorShapeError(store.fileOf(name), name, shape, got);
    return store.f32(name);
  };
  const C = spec.dim;
  const shapes = linearShapes(spec);
  const blocks: BlockWeights[] = [];
  for (let i = 0; i < spec.nLayers; i++) {
    const p = `model.layers.${i}.`;
    const lin = (n: LinearName): LinearWeights => {
      const [out, inn] = shapes[n];
      const l: LinearWeights = { w: get(`${p}${HF_LINEAR[n]}.weight`, [out, inn]), out, in: inn };
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
  const embed = get('model.embed_tokens.weight', [spec.vocabSize, C]);
  // Tied: the head IS the embedding (some tied checkpoints still store a copy of lm_head; ignore it).
  const lmHead = spec.tiedEmbeddings ? embed : get('lm_head.weight', [spec.vocabSize, C]);
  return { embed, blocks, finalNorm: get('model.norm.weight', [C]), lmHead };
}

/** ModelWeights → HF-named tensors (the same names a loaded checkpoint had), ready for writeSafetensors. */
export function weightsToHf(spec: ModelSpec, w: ModelWeights): Map<string, TensorToWrite> {
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
      const l = b[n];
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
export function permuteRopeRows(w: Float32Array, nHeads: number, headDim: number, cols: number, to: 'half' | 'interleaved'): Float32Array {
  const out = new Float32Array(w.length);
  const half = headDim / 2;
  for (let h = 0; h < nHeads; h++)
    for (let j = 0; j < half; j++)
      for (let i = 0; i < 2; i++) {
        const hfRow = h * headDim + i * half + j;
        const ilRow = h * headDim + 2 * j + i;
        const [dst, src] = to === 'half' ? [hfRow, ilRow] : [ilRow, hfRow];
        out.set(w.subarray(src * cols, (src + 1) * cols), dst * cols);
      }
  return out;
}

/** Convert a model between RoPE layouts by permuting q/k rows; everything else is shared (not copied). */
export function convertRopeLayout(
  spec: ModelSpec,
  w: ModelWeights,
  to: 'half' | 'interleaved',
): { spec: ModelSpec; weights: ModelWeights } {
  if (spec.ropeLayout === to) return { spec, weights: w };
  const D = spec.headDim;
  const perm = (l: LinearWeights, nh: number): LinearWeights => ({
    ...l,
    w: permuteRopeRows(l.w, nh, D, l.in, to),
    ...(l.b ? { b: permuteRopeRows(l.b, nh, D, 1, to) } : {}),
  });
  return {
    spec: { ...spec, ropeLayout: to, family: spec.family === 'llama2c' && to === 'half' ? 'llama' : spec.family },
    weights: { ...w, blocks: w.blocks.map((b) => ({ ...b, q: perm(b.q, spec.nHeads), k: perm(b.k, spec.nKvHeads) })) },
  };
}
