// llama2.c checkpoints (karpathy/llama2.c, `export.py --version 0` / legacy_export, read by run.c).
// Header: 7 × int32 LE [dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len];
// vocab_size < 0 means the classifier is NOT shared with the embedding. Then f32 arrays, each
// stacked over layers: token_embedding [V,C], rms_att [L,C], wq [L,C,C], wk [L,KV,C], wv [L,KV,C],
// wo [L,C,C], rms_ffn [L,C], w1 [L,F,C], w2 [L,C,F], w3 [L,F,C], rms_final [C],
// freq_cis_real/imag [seq_len, head_size/2] each (skipped), wcls [V,C] if unshared.
// Version 1 (`export.py --version 1`): 256-byte header [u32 magic "ak42", i32 version, the same 7 ints
// (vocab_size positive), u8 shared_classifier, zero padding], then rms_att, rms_ffn, rms_final,
// token_embedding, wq, wk, wv, wo, w1, w2, w3, [wcls], no freq_cis. Version 2 (int8 Q8_0) is refused.
// llama2.c rotates interleaved pairs (2j, 2j+1) with theta 10000; its w1 = gate, w3 = up, w2 = down.

import { CorruptFileError, ModelExportError, TruncatedFileError, UnsupportedModelTypeError } from './errors';
import {
  linearOf,
  type BlockWeights,
  type LinearWeights,
  type ModelSpec,
  type ModelWeights,
  type StoredBlock,
  type StoredWeights,
} from './spec';
import { toF32, type WeightArray } from './weightArray';

const HEADER_BYTES = 28;
const MAGIC_V1 = 0x616b3432; // "ak42": export.py --version 1/2 files
const V1_HEADER_BYTES = 256;

export type Llama2cVersion = 0 | 1;

export interface Llama2cHeader {
  spec: ModelSpec;
  version: Llama2cVersion;
  /** Byte offset of the first weight. */
  dataStart: number;
}

export function parseLlama2cHeader(bytes: Uint8Array, file = 'model.bin'): Llama2cHeader {
  if (bytes.length < HEADER_BYTES) throw new TruncatedFileError(file, HEADER_BYTES, bytes.length, 'the llama2.c header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let version: Llama2cVersion = 0;
  let base = 0;
  if (dv.getUint32(0, true) === MAGIC_V1) {
    const v = bytes.length >= 8 ? dv.getInt32(4, true) : -1;
    if (v !== 1)
      throw new UnsupportedModelTypeError(file, `llama2.c checkpoint version ${v} ("ak42" header; version 2 is int8-quantized)`, [
        'llama2.c float32 checkpoints (export.py --version 0 or --version 1)',
        'HF safetensors folders',
      ]);
    if (bytes.length < V1_HEADER_BYTES) throw new TruncatedFileError(file, V1_HEADER_BYTES, bytes.length, 'the llama2.c version-1 header');
    version = 1;
    base = 8;
  }
  const h = Array.from({ length: 7 }, (_, i) => dv.getInt32(base + 4 * i, true));
  const [dim, hidden, nLayers, nHeads, nKv, vocabSigned, seqLen] = h;
  const vocab = Math.abs(vocabSigned);
  const bad = (what: string) =>
    new CorruptFileError(
      file,
      `llama2.c header ${what} (header = [${h.join(', ')}])`,
      'This is not a llama2.c float32 checkpoint, or it is damaged.',
    );
  const LIM = 1 << 20;
  for (const [name, v] of [
    ['dim', dim],
    ['hidden_dim', hidden],
    ['n_layers', nLayers],
    ['n_heads', nHeads],
    ['n_kv_heads', nKv],
    ['vocab_size', vocab],
    ['seq_len', seqLen],
  ] as const)
    if (!(v > 0 && v <= (name === 'vocab_size' ? 1 << 24 : LIM))) throw bad(`field ${name} = ${v} is out of range`);
  if (dim % nHeads !== 0) throw bad(`dim ${dim} is not divisible by n_heads ${nHeads}`);
  if (nHeads % nKv !== 0) throw bad(`n_heads ${nHeads} is not divisible by n_kv_heads ${nKv}`);
  const headDim = dim / nHeads;
  if (headDim % 2 !== 0) throw bad(`head size ${headDim} is odd`);
  let tied = vocabSigned > 0;
  if (version === 1) {
    const flag = bytes[base + 28];
    if (flag > 1) throw bad(`shared_classifier flag is ${flag}`);
    tied = flag === 1;
  }
  const spec: ModelSpec = {
    family: 'llama2c',
    vocabSize: vocab,
    dim,
    nLayers,
    nHeads,
    nKvHeads: nKv,
    headDim,
    ffnDim: hidden,
    maxSeqLen: seqLen,
    ropeTheta: 10000,
    normEps: 1e-5,
    ropeLayout: 'interleaved',
    tiedEmbeddings: tied,
    qkvBias: false,
    bosTokenId: 1,
    eosTokenId: 2,
  };
  const dataStart = version === 1 ? V1_HEADER_BYTES : HEADER_BYTES;
  const need = dataStart + 4 * llama2cFloatCount(spec, version);
  if (!Number.isSafeInteger(need)) throw bad('implies an impossible size');
  if (bytes.length < need) throw new TruncatedFileError(file, need, bytes.length, 'the weights the header announces');
  if (bytes.length > need)
    throw new CorruptFileError(
      file,
      `is ${bytes.length} bytes but its header implies exactly ${need}`,
      'The header does not match the weights; this is not a llama2.c float32 checkpoint.',
    );
  return { spec, version, dataStart };
}

function llama2cFloatCount(s: ModelSpec, version: Llama2cVersion): number {
  const C = s.dim,
    L = s.nLayers,
    kv = s.nKvHeads * s.headDim,
    F = s.ffnDim,
    V = s.vocabSize;
  const freqCis = version === 0 ? s.maxSeqLen * s.headDim : 0; // real + imag, [seq_len, D/2] each
  return V * C + L * (2 * C + 2 * C * C + 2 * kv * C + 3 * F * C) + C + freqCis + (s.tiedEmbeddings ? 0 : V * C);
}

/** Parse a whole llama2.c checkpoint (header validated against the file size before any allocation). */
export function parseLlama2c(bytes: Uint8Array, file = 'model.bin'): { spec: ModelSpec; weights: ModelWeights } {
  const { spec, version, dataStart } = parseLlama2cHeader(bytes, file);
  let off = dataStart;
  const take = (n: number): Float32Array => {
    const out = new Float32Array(n);
    if ((bytes.byteOffset + off) % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset + off, n));
    else {
      const dv = new DataView(bytes.buffer, bytes.byteOffset + off, 4 * n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
    }
    off += 4 * n;
    return out;
  };
  const { dim: C, nLayers: L, ffnDim: F, vocabSize: V } = spec;
  const qd = spec.nHeads * spec.headDim;
  const kv = spec.nKvHeads * spec.headDim;
  const perLayer = (n: number) => Array.from({ length: L }, () => take(n));
  const lin = (w: Float32Array, out: number, inn: number): LinearWeights => ({ w, out, in: inn });
  let embed: Float32Array, rmsAtt: Float32Array[], rmsFfn: Float32Array[], finalNorm: Float32Array;
  if (version === 0) {
    embed = take(V * C);
    rmsAtt = perLayer(C);
  } else {
    rmsAtt = perLayer(C);
    rmsFfn = perLayer(C);
    finalNorm = take(C);
    embed = take(V * C);
  }
  const wq = perLayer(qd * C);
  const wk = perLayer(kv * C);
  const wv = perLayer(kv * C);
  const wo = perLayer(C * qd);
  if (version === 0) rmsFfn = perLayer(C);
  const w1 = perLayer(F * C);
  const w2 = perLayer(C * F);
  const w3 = perLayer(F * C);
  if (version === 0) {
    finalNorm = take(C);
    off += 4 * spec.maxSeqLen * spec.headDim; // freq_cis_real + freq_cis_imag, recomputed by the forward
  }
  const lmHead = spec.tiedEmbeddings ? embed : take(V * C);
  const blocks: BlockWeights[] = rmsAtt.map((attnNorm, l) => ({
    attnNorm,
    mlpNorm: rmsFfn[l],
    q: lin(wq[l], qd, C),
    k: lin(wk[l], kv, C),
    v: lin(wv[l], kv, C),
    o: lin(wo[l], C, qd),
    gate: lin(w1[l], F, C),
    up: lin(w3[l], F, C),
    down: lin(w2[l], C, F),
  }));
  return { spec, weights: { embed, blocks, finalNorm: finalNorm!, lmHead } };
}

/** Write a llama2.c float32 checkpoint (version 0 = legacy, 1 = "ak42" header). Weights must be in the interleaved RoPE layout. */
export function writeLlama2c(spec: ModelSpec, w: StoredWeights, version: Llama2cVersion = 0): Uint8Array {
  if (spec.ropeLayout !== 'interleaved')
    throw new ModelExportError(
      'writeLlama2c',
      "convert q/k to the interleaved layout first (convertRopeLayout(spec, weights, 'interleaved'))",
    );
  if (spec.qkvBias)
    throw new ModelExportError('writeLlama2c', 'llama2.c has no q/k/v biases; export this model as a Hugging Face folder instead');
  if (spec.headDim * spec.nHeads !== spec.dim)
    throw new ModelExportError(
      'writeLlama2c',
      `llama2.c requires head_dim = dim / n_heads (${spec.headDim}·${spec.nHeads} != ${spec.dim}); export this model as a Hugging Face folder instead`,
    );
  const start = version === 1 ? V1_HEADER_BYTES : HEADER_BYTES;
  const out = new Uint8Array(start + 4 * llama2cFloatCount(spec, version));
  const dv = new DataView(out.buffer);
  const hdr = [
    spec.dim,
    spec.ffnDim,
    spec.nLayers,
    spec.nHeads,
    spec.nKvHeads,
    spec.tiedEmbeddings || version === 1 ? spec.vocabSize : -spec.vocabSize,
    spec.maxSeqLen,
  ];
  const base = version === 1 ? 8 : 0;
  if (version === 1) {
    dv.setUint32(0, MAGIC_V1, true);
    dv.setInt32(4, 1, true);
    out[base + 28] = spec.tiedEmbeddings ? 1 : 0;
  }
  hdr.forEach((v, i) => dv.setInt32(base + 4 * i, v, true));
  let off = start;
  const put = (stored: WeightArray | number[]) => {
    const a = Array.isArray(stored) ? stored : toF32(stored); // the format is f32; 16-bit weights are widened
    for (let i = 0; i < a.length; i++, off += 4) dv.setFloat32(off, a[i], true);
  };
  const each = (get: (b: StoredBlock) => WeightArray) => w.blocks.forEach((b) => put(get(b)));
  if (version === 0) {
    put(w.embed);
    each((b) => b.attnNorm);
  } else {
    each((b) => b.attnNorm);
    each((b) => b.mlpNorm);
    put(w.finalNorm);
    put(w.embed);
  }
  for (const n of ['q', 'k', 'v', 'o'] as const) each((b) => b[n].w);
  if (version === 0) each((b) => b.mlpNorm);
  for (const n of ['gate', 'down', 'up'] as const) each((b) => linearOf(b, n).w); // w1, w2, w3
  if (version === 0) {
    put(w.finalNorm);
    // freq_cis as llama2.c's precompute_freqs_cis: cos/sin(t · 10000^(-2j/D)), [seq_len, D/2] each.
    const half = spec.headDim / 2;
    for (const fn of [Math.cos, Math.sin])
      for (let t = 0; t < spec.maxSeqLen; t++)
        for (let j = 0; j < half; j++) put([fn(t * Math.pow(spec.ropeTheta, (-2 * j) / spec.headDim))]);
  }
  if (!spec.tiedEmbeddings) put(w.lmHead);
  return out;
}
