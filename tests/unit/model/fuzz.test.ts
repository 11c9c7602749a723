// Fuzz-style robustness: many truncated / bit-flipped / structurally mutated files go to every parser
// and to the loader. The only acceptable failures are ModelLoadError subclasses (never RangeError,
// TypeError, SyntaxError...), and a parse that succeeds must leave every tensor readable.

import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { parseConfigJson, specToConfig } from '../../../src/model/config';
import { ModelLoadError } from '../../../src/model/errors';
import { weightsToHf } from '../../../src/model/hfweights';
import { parseLlama2c, writeLlama2c } from '../../../src/model/llama2c';
import { parseLlama2cTokenizer, writeLlama2cTokenizer } from '../../../src/model/llama2cTokenizer';
import { loadModel } from '../../../src/model/loader';
import { parseSafetensors, writeSafetensors } from '../../../src/model/safetensors';
import { parseShardIndex } from '../../../src/model/shards';
import { memorySource } from '../../../src/model/sources';
import { parseHfTokenizer } from '../../../src/model/tokenizer';
import { enc, spmLlama2cPieces, spmTokenizerJson } from './helpers';
import { mutateBytes, mutateJson } from '../../support/mutate';
import { randomWeights, SPEC_SHAPES, tinyModelSpec } from '../../support/specs';

function expectOnlyLoadErrors(run: () => unknown): 'ok' | 'err' {
  try {
    run();
    return 'ok';
  } catch (e) {
    if (!(e instanceof ModelLoadError)) throw new Error(`non-ModelLoadError escaped: ${(e as Error)?.name}: ${(e as Error)?.message}`);
    return 'err';
  }
}

const spec = tinyModelSpec({ nLayers: 1, vocabSize: 319, tiedEmbeddings: false });
const weights = randomWeights(spec, 5);
const l2cSpec = tinyModelSpec({ ...SPEC_SHAPES.llama2c, nLayers: 1 });
const l2cBin = writeLlama2c(l2cSpec, randomWeights(l2cSpec, 6));
const l2cBinV1 = writeLlama2c({ ...l2cSpec, tiedEmbeddings: false }, randomWeights({ ...l2cSpec, tiedEmbeddings: false }, 6), 1);
const tokBin = writeLlama2cTokenizer(spmLlama2cPieces());
const st = writeSafetensors(weightsToHf(spec, weights));

/** A safetensors header with every dtype we widen, to fuzz the structured header too. */
function mixedFile(): { header: Record<string, unknown>; data: Uint8Array } {
  return {
    header: {
      __metadata__: { format: 'pt' },
      a: { dtype: 'F16', shape: [2, 3], data_offsets: [0, 12] },
      b: { dtype: 'BF16', shape: [4], data_offsets: [12, 20] },
      c: { dtype: 'F32', shape: [3], data_offsets: [20, 32] },
      d: { dtype: 'I64', shape: [1], data_offsets: [32, 40] },
    },
    data: Uint8Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff),
  };
}
function assemble(header: unknown, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}
const readAll = (b: Uint8Array) => {
  const f = parseSafetensors(b);
  for (const n of f.names()) {
    if (['F32', 'F16', 'BF16', 'F64'].includes(f.info(n).dtype)) f.f32(n);
    else f.ints(n);
  }
};

describe('fuzz: parsers throw only ModelLoadError subclasses', () => {
  it('safetensors: byte mutations and header mutations', () => {
    const rng = new Rng(1);
    const seen = { ok: 0, err: 0 };
    for (let i = 0; i < 400; i++) seen[expectOnlyLoadErrors(() => readAll(mutateBytes(st, rng)))]++;
    const m = mixedFile();
    for (let i = 0; i < 400; i++) seen[expectOnlyLoadErrors(() => readAll(assemble(mutateJson(m.header, rng), m.data)))]++;
    expect(seen.err).toBeGreaterThan(300); // the mutations do hit the validation
    expect(seen.ok).toBeGreaterThan(10);
  });

  it('config.json, index.json', () => {
    const rng = new Rng(2);
    const cfg = specToConfig(spec);
    const idx = { metadata: { total_size: 4 }, weight_map: { a: 'model-1.safetensors', b: 'model-2.safetensors' } };
    for (let i = 0; i < 300; i++) {
      expectOnlyLoadErrors(() => parseConfigJson(enc(mutateJson(cfg, rng))));
      expectOnlyLoadErrors(() => parseConfigJson(mutateBytes(enc(cfg), rng)));
      expectOnlyLoadErrors(() => parseShardIndex(enc(mutateJson(idx, rng))));
      expectOnlyLoadErrors(() => parseShardIndex(mutateBytes(enc(idx), rng)));
    }
  });

  it('llama2.c checkpoint and tokenizer.bin', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 300; i++) {
      expectOnlyLoadErrors(() => parseLlama2c(mutateBytes(l2cBin, rng)));
      expectOnlyLoadErrors(() => parseLlama2c(mutateBytes(l2cBinV1, rng)));
      expectOnlyLoadErrors(() => {
        const t = parseLlama2cTokenizer(mutateBytes(tokBin, rng));
        t.decode(t.encode('the world, é 😀'));
      });
    }
  });

  it('tokenizer.json', () => {
    const rng = new Rng(4);
    const json = spmTokenizerJson();
    for (let i = 0; i < 150; i++) {
      expectOnlyLoadErrors(() => parseHfTokenizer(enc(mutateJson(json, rng))));
      expectOnlyLoadErrors(() => parseHfTokenizer(mutateBytes(enc(json), rng)));
    }
  });

  it('whole loader on mutated HF folders and llama2.c pairs', async () => {
    const rng = new Rng(5);
    const hf: Record<string, Uint8Array> = {
      'config.json': enc(specToConfig(spec)),
      'model.safetensors': st,
      'tokenizer.json': enc(spmTokenizerJson()),
    };
    const l2c: Record<string, Uint8Array> = { 'm.bin': l2cBin, 'tokenizer.bin': tokBin };
    let errors = 0;
    for (let i = 0; i < 120; i++) {
      for (const files of [hf, l2c]) {
        const names = Object.keys(files);
        const victim = names[rng.int(names.length)];
        const mutated = {
          ...files,
          [victim]:
            victim.endsWith('.json') && rng.next() < 0.5
              ? enc(mutateJson(JSON.parse(new TextDecoder().decode(files[victim])), rng))
              : mutateBytes(files[victim], rng),
        };
        try {
          await loadModel(memorySource('fuzz', mutated));
        } catch (e) {
          if (!(e instanceof ModelLoadError)) throw new Error(`loader let ${(e as Error)?.name} escape: ${(e as Error)?.message}`);
          if ((e as { cause?: unknown }).cause !== undefined)
            throw new Error(`a parser crashed inside the loader: ${(e as Error).message}`);
          errors++;
        }
      }
    }
    expect(errors).toBeGreaterThan(100);
  });
});
