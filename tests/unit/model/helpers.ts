// Shared builders for the model/eval tests: a small hand-built SentencePiece-style tokenizer.json
// (BPE + byte fallback, like Llama-2's) and its llama2.c twin. Model shapes and random weights:
// tests/support/specs.ts.

import type { Llama2cPiece } from '../../../src/model/llama2cTokenizer';

const byteName = (b: number) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;

/** Multi-character pieces and the merges that build them, in rank order (rank = priority). */
const MERGES: [string, string][] = [
  ['▁', 't'],
  ['h', 'e'],
  ['▁t', 'he'],
  ['i', 'n'],
  ['▁', 'a'],
  ['e', 'r'],
  ['o', 'n'],
  ['▁', 's'],
  ['a', 't'],
  ['▁', 'w'],
  ['o', 'r'],
  ['e', 'n'],
  ['▁a', 'n'],
  ['▁an', 'd'],
  ['in', 'g'],
  ['▁', 'o'],
  ['▁o', 'f'],
  ['r', 'e'],
  ['▁', 'c'],
  ['a', 'l'],
  ['▁s', 't'],
  ['l', 'l'],
  ['▁w', 'or'],
  ['▁wor', 'l'],
  ['▁worl', 'd'],
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
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab,
      merges: MERGES.map(([a, b]) => `${a} ${b}`),
    },
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
