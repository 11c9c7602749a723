// GPT-2 tensor names ⇄ ModelWeights (docs/gpt2.md §1). HF GPT2LMHeadModel stores its linears as Conv1D,
// W [in, out] with y = x W + b, and fuses q, k, v into `attn.c_attn` [C, 3C] (columns q | k | v); our
// engine keeps every linear as [out, in]. So loading transposes (in the file's dtype: a bf16 file stays
// bf16) and splits c_attn into three linears; export fuses and transposes back. nanoGPT exports use
// nn.Linear with the same names, already [out, in] (c_attn [3C, C]); the c_attn shape tells which.
// Names may carry the `transformer.` prefix (HF save_pretrained) or not (the original OpenAI conversion).
import { MissingTensorError, TensorShapeError } from './errors';
import type { TensorStore, TensorToWrite } from './safetensors';
import { linearOf, type LinearWeights, type ModelSpec, type StoredBlock, type StoredWeights } from './spec';
import { halfArray, isHalf, type WeightArray } from './weightArray';

/** The HF module of each GPT-2 linear inside h.N (q, k, v share c_attn). */
export const GPT2_HF_LINEAR = {
  q: 'attn.c_attn',
  k: 'attn.c_attn',
  v: 'attn.c_attn',
  o: 'attn.c_proj',
  fc: 'mlp.c_fc',
  proj: 'mlp.c_proj',
};

/** out[j, i] = a[i, c0 + j] for j < c1 − c0: columns [c0, c1) of a [rows, cols] matrix, transposed. Same dtype. */
export function transposeColumns(a: WeightArray, rows: number, cols: number, c0: number, c1: number): WeightArray {
  const n = c1 - c0;
  const src = isHalf(a) ? a.bits : a;
  const out = isHalf(a) ? new Uint16Array(n * rows) : new Float32Array(n * rows);
  for (let i = 0; i < rows; i++) {
    const row = i * cols + c0;
    for (let j = 0; j < n; j++) out[j * rows + i] = src[row + j];
  }
  return isHalf(a) ? halfArray(a.dtype, out as Uint16Array) : (out as Float32Array);
}

/** Rows [r0, r1) of a [rows, cols] matrix (a view where the storage allows). */
function rowsOf(a: WeightArray, cols: number, r0: number, r1: number): WeightArray {
  return isHalf(a) ? halfArray(a.dtype, a.bits.subarray(r0 * cols, r1 * cols)) : a.subarray(r0 * cols, r1 * cols);
}

/** HF Conv1D of linears [out_p, in] stacked by output: W [in, Σ out_p], W[i, off_p + r] = part_p[r, i]. */
export function toConv1D(parts: readonly LinearWeights<WeightArray>[]): WeightArray {
  const inn = parts[0].in;
  const total = parts.reduce((s, p) => s + p.out, 0);
  const half = isHalf(parts[0].w) ? parts[0].w : null;
  const out = half ? new Uint16Array(inn * total) : new Float32Array(inn * total);
  let off = 0;
  for (const p of parts) {
    const src = isHalf(p.w) ? p.w.bits : p.w; // bits read once (a pruned array builds them per read)
    for (let r = 0; r < p.out; r++) for (let i = 0; i < inn; i++) out[i * total + off + r] = src[r * inn + i];
    off += p.out;
  }
  return half ? halfArray(half.dtype, out as Uint16Array) : (out as Float32Array);
}

export function gpt2WeightsFromHf(spec: ModelSpec, store: TensorStore): StoredWeights {
  const prefix = store.has('transformer.wte.weight') ? 'transformer.' : '';
  const C = spec.dim;
  const F = spec.ffnDim;
  const name = (n: string) => prefix + n;
  const shapeOf = (n: string): number[] => {
    if (!store.has(name(n))) throw new MissingTensorError(store.fileOf(name(n)), name(n));
    return store.info(name(n)).shape;
  };
  const expect = (n: string, ...allowed: number[][]): number[] => {
    const got = shapeOf(n);
    if (!allowed.some((s) => s.length === got.length && s.every((d, i) => d === got[i])))
      throw new TensorShapeError(store.fileOf(name(n)), name(n), allowed[0], got);
    return got;
  };
  const vec = (n: string) => (expect(n, [C]), store.f32(name(n)));
  const optVec = (n: string, len: number) => (store.has(name(n)) ? (expect(n, [len]), store.f32(name(n))) : undefined);
  // nanoGPT (nn.Linear) stores c_attn as [3C, C]; HF Conv1D as [C, 3C]
  const linearLayout = spec.nLayers > 0 && shapeOf('h.0.attn.c_attn.weight')[0] === 3 * C && 3 * C !== C;

  /** A linear [out, in] from a tensor stored [out, in] (nanoGPT) or [in, out] (Conv1D); rows [r0, r1) of the output. */
  const linear = (n: string, inn: number, outAll: number, r0: number, r1: number): LinearWeights<WeightArray> => {
    expect(`${n}.weight`, linearLayout ? [outAll, inn] : [inn, outAll]);
    const w = store.stored(name(`${n}.weight`));
    const l: LinearWeights<WeightArray> = {
      w: linearLayout ? rowsOf(w, inn, r0, r1) : transposeColumns(w, inn, outAll, r0, r1),
      out: r1 - r0,
      in: inn,
    };
    const b = optVec(`${n}.bias`, outAll);
    if (b) l.b = b.subarray(r0, r1);
    return l;
  };

  const blocks: StoredBlock[] = [];
  for (let i = 0; i < spec.nLayers; i++) {
    const p = `h.${i}.`;
    blocks.push({
      attnNorm: vec(`${p}ln_1.weight`),
      attnNormBias: optVec(`${p}ln_1.bias`, C),
      mlpNorm: vec(`${p}ln_2.weight`),
      mlpNormBias: optVec(`${p}ln_2.bias`, C),
      q: linear(`${p}attn.c_attn`, C, 3 * C, 0, C),
      k: linear(`${p}attn.c_attn`, C, 3 * C, C, 2 * C),
      v: linear(`${p}attn.c_attn`, C, 3 * C, 2 * C, 3 * C),
      o: linear(`${p}attn.c_proj`, C, C, 0, C),
      fc: linear(`${p}mlp.c_fc`, C, F, 0, F),
      proj: linear(`${p}mlp.c_proj`, F, C, 0, C),
    });
  }
  expect('wte.weight', [spec.vocabSize, C]);
  expect('wpe.weight', [spec.maxSeqLen, C]);
  const embed = store.stored(name('wte.weight'));
  let lmHead = embed;
  if (!spec.tiedEmbeddings) {
    if (!store.has('lm_head.weight'))
      throw new MissingTensorError(store.fileOf('lm_head.weight'), 'lm_head.weight', 'config.json says tie_word_embeddings=false.');
    expect('lm_head.weight', [spec.vocabSize, C]);
    lmHead = store.stored('lm_head.weight');
  }
  return {
    embed,
    posEmbed: store.stored(name('wpe.weight')),
    blocks,
    finalNorm: vec('ln_f.weight'),
    finalNormBias: optVec('ln_f.bias', C),
    lmHead,
  };
}

/** Weights → the tensors transformers' GPT2LMHeadModel.save_pretrained writes (no lm_head when tied). */
export function gpt2WeightsToHf(spec: ModelSpec, w: StoredWeights): Map<string, TensorToWrite> {
  const C = spec.dim;
  const m = new Map<string, TensorToWrite>();
  const t = (n: string) => `transformer.${n}`;
  m.set(t('wte.weight'), { shape: [spec.vocabSize, C], data: w.embed });
  if (w.posEmbed) m.set(t('wpe.weight'), { shape: [spec.maxSeqLen, C], data: w.posEmbed });
  const bias = (parts: LinearWeights<WeightArray>[]): Float32Array | undefined => {
    if (!parts.every((p) => p.b)) return undefined;
    const out = new Float32Array(parts.reduce((s, p) => s + p.out, 0));
    let off = 0;
    for (const p of parts) out.set(p.b!, (off += p.out) - p.out);
    return out;
  };
  w.blocks.forEach((b, i) => {
    const p = `h.${i}.`;
    m.set(t(`${p}ln_1.weight`), { shape: [C], data: b.attnNorm });
    if (b.attnNormBias) m.set(t(`${p}ln_1.bias`), { shape: [C], data: b.attnNormBias });
    m.set(t(`${p}ln_2.weight`), { shape: [C], data: b.mlpNorm });
    if (b.mlpNormBias) m.set(t(`${p}ln_2.bias`), { shape: [C], data: b.mlpNormBias });
    const groups: [string, LinearWeights<WeightArray>[]][] = [
      ['attn.c_attn', [b.q, b.k, b.v]],
      ['attn.c_proj', [b.o]],
      ['mlp.c_fc', [linearOf(b, 'fc')]],
      ['mlp.c_proj', [linearOf(b, 'proj')]],
    ];
    for (const [hf, parts] of groups) {
      const out = parts.reduce((s, l) => s + l.out, 0);
      m.set(t(`${p}${hf}.weight`), { shape: [parts[0].in, out], data: toConv1D(parts) });
      const bb = bias(parts);
      if (bb) m.set(t(`${p}${hf}.bias`), { shape: [out], data: bb });
    }
  });
  m.set(t('ln_f.weight'), { shape: [C], data: w.finalNorm });
  if (w.finalNormBias) m.set(t('ln_f.bias'), { shape: [C], data: w.finalNormBias });
  if (!spec.tiedEmbeddings) m.set('lm_head.weight', { shape: [spec.vocabSize, C], data: w.lmHead });
  return m;
}
