// The Tokenizer the engine uses, whatever file it came from. HF tokenizer.json is delegated to
// @huggingface/tokenizers (BPE / SentencePiece-BPE with byte fallback / ByteLevel, normalizers,
// post-processors): we never hand-write that BPE. llama2.c tokenizer.bin lives in llama2cTokenizer.ts.

import { Tokenizer as HfTokenizerImpl } from '@huggingface/tokenizers';
import { parseJsonObject } from './config';
import { CorruptFileError, TokenizerMismatchError } from './errors';

export interface EncodeOptions {
  /** Add the tokenizer's special tokens (HF post-processor, e.g. Llama's BOS), like Python
   * `tokenizer(text)`. Default false: raw ids, which is what the eval protocol of tools/train.py uses. */
  addSpecialTokens?: boolean;
}

export interface Tokenizer {
  /** Number of ids the tokenizer can produce (max id + 1, added tokens included). */
  readonly vocabSize: number;
  readonly bos?: number;
  readonly eos?: number;
  /** True for the stand-in of a tokenizer file that was not there (missingTokenizer). */
  readonly missing?: boolean;
  encode(text: string, opts?: EncodeOptions): number[];
  /** Text for the ids, special tokens skipped. */
  decode(ids: readonly number[]): string;
}

/** Thrown when text must be tokenised but the model was loaded without its tokenizer. */
export class NoTokenizerError extends Error {
  override name = 'NoTokenizerError';
}

/**
 * Stands in for a missing tokenizer when the caller brings token ids itself (CLI --calib-ids/--eval-ids,
 * docs/real-models.md §3): every use of text says so instead of producing ids from another model.
 */
export function missingTokenizer(vocabSize: number, file: string): Tokenizer {
  const fail = (): never => {
    throw new NoTokenizerError(
      `${file} is missing, so text cannot be tokenised; give token ids instead (--calib-ids FILE, --eval-ids FILES)`,
    );
  };
  return { vocabSize, missing: true, encode: fail, decode: fail };
}

const tokenName = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string'
      ? (v as { content: string }).content
      : undefined;

export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bos?: number;
  readonly eos?: number;
  /** transformers' post-decode clean-up (" ," → ","); off unless tokenizer_config.json asks for it,
   * as the Rust `tokenizers` decode and current Llama/GPT-2 configs do, so decode(encode(t)) === t. */
  private readonly cleanUp: boolean;

  constructor(
    private readonly impl: HfTokenizerImpl,
    config: Record<string, unknown>,
    fallback: { bos?: number; eos?: number } = {},
  ) {
    this.cleanUp = config.clean_up_tokenization_spaces === true;
    let max = -1;
    for (const id of impl.get_vocab(true).values()) if (id > max) max = id;
    this.vocabSize = max + 1;
    const id = (key: string) => {
      const n = tokenName(config[key]);
      return n === undefined ? undefined : impl.token_to_id(n);
    };
    this.bos = id('bos_token') ?? fallback.bos;
    this.eos = id('eos_token') ?? fallback.eos;
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    return this.impl.encode(text, { add_special_tokens: opts.addSpecialTokens ?? false }).ids;
  }

  decode(ids: readonly number[]): string {
    if (ids.length === 0) return ''; // the library throws on an empty id list
    return this.impl.decode([...ids], { skip_special_tokens: true, clean_up_tokenization_spaces: this.cleanUp });
  }
}

/** tokenizer.json (+ optional tokenizer_config.json) → Tokenizer. Library errors become CorruptFileError. */
export function parseHfTokenizer(
  tokenizerJson: Uint8Array,
  configJson?: Uint8Array,
  fallback: { bos?: number; eos?: number } = {},
  file = 'tokenizer.json',
): HfTokenizer {
  const json = parseJsonObject(tokenizerJson, file);
  const config = configJson ? parseJsonObject(configJson, 'tokenizer_config.json') : {};
  const model = json.model as { type?: unknown; vocab?: unknown } | undefined;
  if (typeof model !== 'object' || model === null || typeof model.vocab !== 'object' || model.vocab === null)
    throw new CorruptFileError(file, 'has no "model.vocab"', 'Use the tokenizer.json from the model folder (not tokenizer_config.json).');
  if (model.type !== undefined && !['BPE', 'WordPiece', 'Unigram'].includes(model.type as string))
    throw new CorruptFileError(
      file,
      `has model.type ${JSON.stringify(model.type)}`,
      'Supported tokenizer models: BPE, WordPiece, Unigram.',
    );
  try {
    const tok = new HfTokenizer(new HfTokenizerImpl(json, config), config, fallback);
    tok.encode('a b'); // surfaces lazily-detected problems (bad merges, regexes) at load time
    return tok;
  } catch (e) {
    if (e instanceof CorruptFileError) throw e;
    throw new CorruptFileError(file, `cannot be read by @huggingface/tokenizers (${(e as Error)?.message ?? String(e)})`);
  }
}

/**
 * The tokenizer must not produce ids the model has no embedding for. Models may pad their
 * embedding beyond the tokenizer (e.g. to a multiple of 64), so tokenizer ≤ model is accepted for
 * HF; llama2.c tokenizer.bin has exactly vocab_size entries (`exact`).
 */
/**
 * Models pad their vocabulary past the tokenizer's ids (Qwen2.5: 151665 ids, 151936 rows), so a tokenizer
 * may be a little smaller than the model; one far smaller belongs to another model (docs/real-models.md §3).
 */
export const MAX_VOCAB_PADDING = (modelVocab: number): number => Math.max(1024, Math.ceil(0.01 * modelVocab));

export function checkTokenizerVocab(tok: Tokenizer, modelVocab: number, file: string, exact = false): void {
  if (exact ? tok.vocabSize !== modelVocab : tok.vocabSize > modelVocab)
    throw new TokenizerMismatchError(file, tok.vocabSize, modelVocab, exact ? '' : ' (ids up to ' + (tok.vocabSize - 1) + ')');
  if (modelVocab - tok.vocabSize > MAX_VOCAB_PADDING(modelVocab))
    throw new TokenizerMismatchError(
      file,
      tok.vocabSize,
      modelVocab,
      ` (more than ${MAX_VOCAB_PADDING(modelVocab)} fewer, so it is not padding)`,
    );
}
