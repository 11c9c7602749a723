import { TokenizerLoader } from '@lenml/tokenizers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptFileError, TokenizerMismatchError } from '../../../src/model/errors';
import { parseLlama2cTokenizer, writeLlama2cTokenizer } from '../../../src/model/llama2cTokenizer';
import { checkTokenizerVocab, parseHfTokenizer } from '../../../src/model/tokenizer';
import { DEFAULT_MODEL_DIR, ROOT } from './fixtures';
import { enc, spmLlama2cPieces, spmTokenizerJson } from './helpers';

const TEXTS = [
  'the world',
  'and the rest of the world is in the string',
  'Hello, wörld! Thé café… 😀 ok?',
  '  two leading spaces and a tab\there\nnew line\n\n',
  'THW ,.!? é é é',
  'of of of ofof the-the_the',
  'x',
  '',
];

describe('HF tokenizer.json (SentencePiece-style BPE with byte fallback)', () => {
  const json = spmTokenizerJson();
  const tok = parseHfTokenizer(enc(json), enc({ bos_token: '<s>', eos_token: { content: '</s>' } }));
  const oracle = TokenizerLoader.fromPreTrained({ tokenizerJSON: json, tokenizerConfig: {} });

  it('gives the same ids as @lenml/tokenizers (independent implementation)', () => {
    for (const t of TEXTS) {
      expect(tok.encode(t), t).toEqual(oracle.encode(t, { add_special_tokens: false }));
      expect(tok.encode(t, { addSpecialTokens: true }), t).toEqual(oracle.encode(t));
    }
  });

  it('round-trips text and reads bos/eos/vocab size', () => {
    for (const t of TEXTS) expect(tok.decode(tok.encode(t, { addSpecialTokens: true }))).toBe(t);
    expect(tok.decode([])).toBe('');
    expect(tok.bos).toBe(1);
    expect(tok.eos).toBe(2);
    expect(tok.vocabSize).toBe(Object.keys((json.model as { vocab: object }).vocab).length);
  });

  it('agrees with our llama2.c encoder on the same vocabulary (scores ordered like the merges)', () => {
    const l2c = parseLlama2cTokenizer(writeLlama2cTokenizer(spmLlama2cPieces()));
    for (const t of TEXTS) {
      expect(l2c.encode(t), t).toEqual(oracle.encode(t, { add_special_tokens: false }));
      expect(l2c.decode(l2c.encode(t))).toBe(
        oracle.decode(oracle.encode(t), { skip_special_tokens: true, clean_up_tokenization_spaces: false }),
      );
    }
  });

  it('checks the tokenizer against the model vocabulary', () => {
    expect(() => checkTokenizerVocab(tok, tok.vocabSize - 1, 'tokenizer.json')).toThrow(TokenizerMismatchError);
    expect(() => checkTokenizerVocab(tok, tok.vocabSize + 64, 'tokenizer.json')).not.toThrow(); // padded embedding is fine
    expect(() => checkTokenizerVocab(tok, tok.vocabSize + 1, 'tokenizer.bin', true)).toThrow(/different model/);
  });

  it('turns unreadable tokenizer.json into CorruptFileError', () => {
    expect(() => parseHfTokenizer(new TextEncoder().encode('{"model": '))).toThrow(CorruptFileError);
    expect(() => parseHfTokenizer(enc({ model: { type: 'BPE' } }))).toThrow(/model.vocab/);
    expect(() => parseHfTokenizer(enc({ ...json, model: { ...(json.model as object), type: 'Nope' } }))).toThrow(CorruptFileError);
  });
});

// The default model's tokenizer (tools/bpe.py byte-level BPE) against the Python trainer's ids.
// default_ids.json: { tokenizer: <path it was made with>, cases: [{ name, text, ids }] } (plain encoding,
// no special tokens), on the shipped public/models/<default>/tokenizer.json.
describe('default model tokenizer vs Python golden ids (tests/fixtures/tokenizer/default_ids.json)', () => {
  it('encodes every golden case to the same ids and decodes back', () => {
    const goldenJson = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/tokenizer/default_ids.json'), 'utf8'));
    const tokFile = join(DEFAULT_MODEL_DIR, 'tokenizer.json');
    const cases: { name: string; text: string; ids: number[] }[] = goldenJson.cases;
    const tok = parseHfTokenizer(readFileSync(tokFile));
    console.log(`default tokenizer: ${tokFile} (vocab ${tok.vocabSize}), ${cases.length} cases`);
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const ids = tok.encode(c.text);
      expect(ids.length, c.name).toBe(c.ids.length);
      expect(ids, c.name).toEqual(c.ids);
      expect(tok.decode(ids), c.name).toBe(c.text);
    }
  });
});

// The micro golden ids are slices [100:117] and [1000:1064] of the micro tokenizer's encoding of the
// first 20,000 characters of sotu-eval.txt, made in Python (tests/fixtures/micro/README.md).
const microGolden = join(ROOT, 'tests/fixtures/micro/golden.json');
const microTok = join(ROOT, 'public/models/micro/tokenizer.json');
describe('micro tokenizer vs the golden fixture ids', () => {
  it('encodes sotu-eval[0:20000] to the slices stored in golden.json', () => {
    const meta = JSON.parse(readFileSync(microGolden, 'utf8'));
    const ids = parseHfTokenizer(readFileSync(microTok)).encode(
      readFileSync(join(ROOT, 'public/data/sotu-eval.txt'), 'utf8').slice(0, 20000),
    );
    expect(ids.slice(100, 117)).toEqual(meta['ids.seq17']);
    expect(ids.slice(1000, 1064)).toEqual(meta['ids.seq64']);
  });
});
