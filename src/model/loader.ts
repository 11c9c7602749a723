// Load a model from a FileSource: HF folder (config.json + model.safetensors[.index.json] +
// tokenizer.json) or llama2.c (.bin + tokenizer.bin). Everything is validated; every failure is a
// ModelLoadError subclass whose message names the file and the fix.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { parseConfigJson } from './config';
import {
  AmbiguousModelFileError,
  CorruptFileError,
  MissingFileError,
  ModelLoadError,
  refuseLfsPointer,
  UnrecognizedModelError,
} from './errors';
import { BitmaskDecompressingStore } from './compressed';
import { weightsFromHf } from './hfweights';
import { parseLlama2c } from './llama2c';
import { parseLlama2cTokenizer } from './llama2cTokenizer';
import { parseSafetensors, type SafetensorsFile, type TensorStore } from './safetensors';
import { parseShardIndex, SHARD_INDEX_NAME, ShardedTensors } from './shards';
import type { FileSource } from './sources';
import type { ModelSpec, StoredWeights } from './spec';
import { checkTokenizerVocab, missingTokenizer, parseHfTokenizer, type Tokenizer } from './tokenizer';

export interface LoadedModel {
  name: string;
  format: 'hf' | 'llama2c';
  spec: ModelSpec;
  weights: StoredWeights;
  tokenizer: Tokenizer;
  /** Hex sha256 of the weights file; for sharded checkpoints, sha256 of "file:hash\n" lines sorted by file. */
  weightsSha256: string;
  weightFiles: string[];
}

/**
 * Hex SHA-256 of `bytes`. WebCrypto's digest is fast but copies its input first, which for a 1 GB
 * checkpoint is another 1 GB at the peak (docs/real-models.md §2); above 64 MiB the bytes are hashed in
 * place 16 MiB at a time instead (yielding between chunks, so a Worker stays responsive).
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const CHUNK = 16 << 20;
  if (bytes.length <= 4 * CHUNK) {
    const d = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
    return bytesToHex(new Uint8Array(d));
  }
  const h = sha256.create();
  for (let off = 0; off < bytes.length; off += CHUNK) {
    h.update(bytes.subarray(off, Math.min(bytes.length, off + CHUNK)));
    await new Promise<void>((r) => setTimeout(r, 0));
  }
  return bytesToHex(h.digest());
}

const hashOf = (source: FileSource, name: string, bytes: Uint8Array): Promise<string> => source.sha256?.(name, bytes) ?? sha256Hex(bytes);

export interface LoadOptions {
  /** Load without the tokenizer file when it is missing (the caller brings token ids); text use then throws. */
  tokenizerOptional?: boolean;
}

export async function loadModel(source: FileSource, opts: LoadOptions = {}): Promise<LoadedModel> {
  try {
    const files = await source.list();
    if (files.includes('config.json')) return await loadHf(source, files, opts);
    const bins = files.filter((f) => f.endsWith('.bin') && f !== 'tokenizer.bin');
    if (bins.length > 1) throw new AmbiguousModelFileError(bins);
    if (bins.length) return await loadLlama2c(source, bins[0], opts);
    throw new UnrecognizedModelError(files);
  } catch (e) {
    if (e instanceof ModelLoadError) throw e;
    // Defensive: a parser bug must still reach the user as a load error; `cause` keeps the original
    // (the fuzz test asserts this path is never taken).
    const err = new CorruptFileError(source.name, `could not be loaded (${(e as Error)?.message ?? String(e)})`);
    (err as { cause?: unknown }).cause = e;
    throw err;
  }
}

async function loadHf(source: FileSource, files: string[], opts: LoadOptions): Promise<LoadedModel> {
  const spec = parseConfigJson(await source.read('config.json'));
  let store: TensorStore;
  let weightFiles: string[];
  let hash: string;
  if (files.includes(SHARD_INDEX_NAME)) {
    const index = parseShardIndex(await source.read(SHARD_INDEX_NAME));
    const shards = new Map<string, SafetensorsFile>();
    const lines: string[] = [];
    for (const f of index.files) {
      const bytes = await source.read(f);
      refuseLfsPointer(f, bytes);
      lines.push(`${f}:${await hashOf(source, f, bytes)}\n`);
      shards.set(f, parseSafetensors(bytes, f));
    }
    store = new ShardedTensors(index, shards);
    weightFiles = index.files;
    hash = await sha256Hex(new TextEncoder().encode(lines.join('')));
  } else {
    const st = files.includes('model.safetensors') ? ['model.safetensors'] : files.filter((f) => f.endsWith('.safetensors'));
    if (st.length !== 1)
      throw new MissingFileError(
        st.length ? SHARD_INDEX_NAME : 'model.safetensors',
        st.length
          ? `Found several .safetensors files (${st.join(', ')}) but no ${SHARD_INDEX_NAME}; add the index file.`
          : "config.json is here but no .safetensors weights (pytorch_model.bin is not supported: convert it with safetensors' convert script).",
      );
    const bytes = await source.read(st[0]);
    refuseLfsPointer(st[0], bytes);
    hash = await hashOf(source, st[0], bytes);
    store = parseSafetensors(bytes, st[0]);
    weightFiles = st;
  }
  // a compressed-tensors sparse-bitmask export reads back as its dense weights (src/model/compressed.ts)
  const weights = weightsFromHf(spec, BitmaskDecompressingStore.wrapIfCompressed(store));
  const base = { name: source.name, format: 'hf' as const, spec, weights, weightsSha256: hash, weightFiles };
  if (!files.includes('tokenizer.json') && opts.tokenizerOptional)
    return { ...base, tokenizer: missingTokenizer(spec.vocabSize, 'tokenizer.json') };
  if (!files.includes('tokenizer.json'))
    throw new MissingFileError(
      'tokenizer.json',
      'Add the tokenizer.json shipped with the model (tokenizer.model/vocab.json alone are not supported).',
    );
  const tokenizer = parseHfTokenizer(
    await source.read('tokenizer.json'),
    files.includes('tokenizer_config.json') ? await source.read('tokenizer_config.json') : undefined,
    { bos: spec.bosTokenId, eos: spec.eosTokenId },
  );
  checkTokenizerVocab(tokenizer, spec.vocabSize, 'tokenizer.json');
  return { ...base, tokenizer };
}

async function loadLlama2c(source: FileSource, bin: string, opts: LoadOptions): Promise<LoadedModel> {
  const bytes = await source.read(bin);
  refuseLfsPointer(bin, bytes);
  const hash = await hashOf(source, bin, bytes);
  const { spec, weights } = parseLlama2c(bytes, bin);
  let tokBytes: Uint8Array;
  const base = { name: source.name, format: 'llama2c' as const, spec, weights, weightsSha256: hash, weightFiles: [bin] };
  try {
    tokBytes = await source.read('tokenizer.bin');
  } catch {
    if (opts.tokenizerOptional) return { ...base, tokenizer: missingTokenizer(spec.vocabSize, 'tokenizer.bin') };
    throw new MissingFileError(
      'tokenizer.bin',
      `A llama2.c checkpoint needs its tokenizer.bin next to ${bin} (the 32k Llama one for the TinyStories models).`,
    );
  }
  const tokenizer = parseLlama2cTokenizer(tokBytes);
  checkTokenizerVocab(tokenizer, spec.vocabSize, 'tokenizer.bin', true);
  return { ...base, tokenizer };
}
