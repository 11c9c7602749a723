// Shared builders for the model/eval tests: random weights for a ModelSpec, a small hand-built
// SentencePiece-style tokenizer.json (BPE + byte fallback, like Llama-2's) and its llama2.c twin.

import { Rng } from '../../../src/core/rng';
import type { Llama2cPiece } from '../../../src/model/llama2cTokenizer';
import { linearShapes, LINEAR_NAMES, type BlockWeights, type LinearWeights, type ModelSpec, type ModelWeights } from '../../../src/model/spec';

export function tinySpec(over: Partial<ModelSpec> = {}): ModelSpec {
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

const byteName = (b: number) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;

/** Multi-character pieces and the merges that build them, in rank order (rank = priority). */
const MERGES: [string, string][] = [
  ['▁', 't'], ['h', 'e'], ['▁t', 'he'], ['i', 'n'], ['▁', 'a'], ['e', 'r'], ['o', 'n'], ['▁', 's'],
  ['a', 't'], ['▁', 'w'], ['o', 'r'], ['e', 'n'], ['▁a', 'n'], ['▁an', 'd'], ['in', 'g'], ['▁', 'o'],
  ['▁o', 'f'], ['r', 'e'], ['▁', 'c'], ['a', 'l'], ['▁s', 't'], ['l', 'l'], ['▁w', 'or'], ['▁wor', 'l'], ['▁worl', 'd'],
];
const CHARS = ['▁', ...'abcdefghijklmnopqrstuvwxyzTHW.,!?é'];

/** Vocabulary: <unk> <s> </s>, 256 byte tokens, single chars, merged pieces (ids in this order). */
export function spmVocab(): string[] {
  const v = ['<unk>', '<s>', '</s>'];
  for (let b = 0; b < 256; b++) v.push(byteName(b));
  v.push(...CHARS);
  for (const [a, b] of MERGES) v.push(a + b);
  return v;
}

/** A Llama-2-style tokenizer.json (normalizer prepends ▁ and maps ' ' → ▁; BPE with byte fallback). */
export function spmTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  spmVocab().forEach((p, i) => (vocab[p] = i));
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }],
    },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, vocab, merges: MERGES.map(([a, b]) => `${a} ${b}`) },
  };
}

/**
 * The same vocabulary as a llama2.c tokenizer.bin: '▁' → ' ' (as llama2.c's tokenizer.py export),
 * merged pieces scored by merge rank (earlier = higher, like SentencePiece scores), others 0 / -1e9.
 */
export function spmLlama2cPieces(): Llama2cPiece[] {
  const nMerged = MERGES.length;
  const firstMerged = spmVocab().length - nMerged;
  return spmVocab().map((p, i) => ({
    piece: p.replace(/▁/g, ' '),
    score: i >= firstMerged ? -(i - firstMerged) : i < 259 ? 0 : -1000,
  }));
}

export const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
