import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { specToConfig } from '../../../src/model/config';
import {
  AmbiguousModelFileError,
  LfsPointerError,
  MissingFileError,
  MissingTensorError,
  TensorShapeError,
  TokenizerMismatchError,
  UnrecognizedModelError,
} from '../../../src/model/errors';
import { exportHfFiles } from '../../../src/model/export';
import { forwardCpu } from '../../../src/model/forward';
import { convertRopeLayout, weightsToHf } from '../../../src/model/hfweights';
import { writeLlama2c } from '../../../src/model/llama2c';
import { writeLlama2cTokenizer } from '../../../src/model/llama2cTokenizer';
import { loadModel } from '../../../src/model/loader';
import { writeSafetensors } from '../../../src/model/safetensors';
import { nodeDirSource, nodeFileSource } from '../../../src/model/sourceNode';
import { browserFilesSource, memorySource } from '../../../src/model/sources';
import type { ModelSpec, StoredWeights } from '../../../src/model/spec';
import { enc, spmLlama2cPieces, spmTokenizerJson } from './helpers';
import { randomWeights, SPEC_SHAPES, tinyModelSpec } from '../../support/specs';

function hfFiles(spec: ModelSpec, w: StoredWeights): Record<string, Uint8Array> {
  return {
    'config.json': enc(specToConfig(spec)),
    'model.safetensors': writeSafetensors(weightsToHf(spec, w)),
    'tokenizer.json': enc(spmTokenizerJson()),
  };
}
const relErr = (a: Float32Array, b: Float32Array) => {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
};
const IDS = [1, 296, 318, 5, 77, 300, 12, 259, 296, 2, 44];

describe('loader: llama2.c .bin and HF safetensors give the same model', () => {
  const l2cSpec = tinyModelSpec({ ...SPEC_SHAPES.llama2c, tiedEmbeddings: false, nLayers: 2 });
  const l2cWeights = randomWeights(l2cSpec, 7);
  const l2cFiles = { 'stories.bin': writeLlama2c(l2cSpec, l2cWeights), 'tokenizer.bin': writeLlama2cTokenizer(spmLlama2cPieces()) };

  it('loads both and produces the same logits after permuting q/k rows to rotate-half', async () => {
    const a = await loadModel(memorySource('l2c', l2cFiles));
    expect(a.format).toBe('llama2c');
    expect(a.spec.ropeLayout).toBe('interleaved');
    const { spec: hs, weights: hw } = convertRopeLayout(a.spec, a.weights, 'half');
    const b = await loadModel(memorySource('hf', hfFiles(hs, hw)));
    expect(b.format).toBe('hf');
    expect(b.spec).toMatchObject({
      family: 'llama',
      ropeLayout: 'half',
      dim: a.spec.dim,
      nKvHeads: a.spec.nKvHeads,
      normEps: 1e-5,
      ropeTheta: 10000,
    });
    const la = forwardCpu(a.spec, a.weights, IDS);
    const lb = forwardCpu(b.spec, b.weights, IDS);
    expect(la.length).toBe(IDS.length * a.spec.vocabSize);
    expect(relErr(lb, la)).toBeLessThan(1e-5);
    // Without the permutation, reading llama2.c q/k as rotate-half gives different logits: the test can fail.
    const wrong = forwardCpu({ ...a.spec, ropeLayout: 'half' }, a.weights, IDS);
    expect(relErr(wrong, la)).toBeGreaterThan(1e-2);
    // the two tokenizers agree too
    expect(b.tokenizer.encode('the world and the rest')).toEqual(a.tokenizer.encode('the world and the rest'));
  });

  it('hashes the weights file with sha256 (as sha256sum)', async () => {
    const m = await loadModel(memorySource('l2c', l2cFiles));
    expect(m.weightsSha256).toBe(createHash('sha256').update(l2cFiles['stories.bin']).digest('hex'));
    expect(m.weightFiles).toEqual(['stories.bin']);
  });

  it('refuses a tokenizer.bin of another size', async () => {
    const pieces = spmLlama2cPieces().slice(0, -1);
    await expect(loadModel(memorySource('x', { ...l2cFiles, 'tokenizer.bin': writeLlama2cTokenizer(pieces) }))).rejects.toThrow(
      TokenizerMismatchError,
    );
    await expect(loadModel(memorySource('x', { 'stories.bin': l2cFiles['stories.bin'] }))).rejects.toThrow(MissingFileError);
  });
});

describe('loader: HF folders', () => {
  const spec = tinyModelSpec({ family: 'qwen2', qkvBias: true, tiedEmbeddings: true });
  const w = randomWeights(spec, 9);

  it('loads qwen2 (biases, tied head) and matches the in-memory weights', async () => {
    const m = await loadModel(memorySource('q', hfFiles(spec, w)));
    expect(m.spec).toEqual({ ...spec, maxSeqLen: spec.maxSeqLen });
    expect(m.weights.lmHead).toBe(m.weights.embed);
    expect(m.weights.blocks[1].k.b).toEqual(w.blocks[1].k.b);
    expect(forwardCpu(m.spec, m.weights, IDS)).toEqual(forwardCpu(spec, w, IDS));
  });

  it('loads sharded checkpoints (index.json) to the same weights', async () => {
    const t = weightsToHf(spec, w);
    const names = [...t.keys()];
    const half = Math.ceil(names.length / 2);
    const shard = (ns: string[]) => writeSafetensors(new Map(ns.map((n) => [n, t.get(n)!])));
    const files = hfFiles(spec, w);
    delete (files as Record<string, unknown>)['model.safetensors'];
    const wm = Object.fromEntries(
      names.map((n, i) => [n, i < half ? 'model-00001-of-00002.safetensors' : 'model-00002-of-00002.safetensors']),
    );
    const m = await loadModel(
      memorySource('s', {
        ...files,
        'model.safetensors.index.json': enc({ metadata: {}, weight_map: wm }),
        'model-00001-of-00002.safetensors': shard(names.slice(0, half)),
        'model-00002-of-00002.safetensors': shard(names.slice(half)),
      }),
    );
    expect(m.weightFiles).toHaveLength(2);
    expect(m.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(forwardCpu(m.spec, m.weights, IDS)).toEqual(forwardCpu(spec, w, IDS));
  });

  it('names the tensor, expected and actual shape when config and weights disagree', async () => {
    const files = hfFiles(spec, w);
    const cfg = { ...specToConfig(spec), intermediate_size: spec.ffnDim + 1 };
    await expect(loadModel(memorySource('x', { ...files, 'config.json': enc(cfg) }))).rejects.toThrow(TensorShapeError);
    await expect(loadModel(memorySource('x', { ...files, 'config.json': enc(cfg) }))).rejects.toThrow(
      /mlp\.gate_proj\.weight.*\[40, 24\].*\[41, 24\]/,
    );
    const untied = { ...specToConfig(spec), tie_word_embeddings: false };
    await expect(loadModel(memorySource('x', { ...files, 'config.json': enc(untied) }))).rejects.toThrow(MissingTensorError);
    const small = { ...specToConfig(spec), vocab_size: 100 };
    await expect(loadModel(memorySource('x', { ...files, 'config.json': enc(small) }))).rejects.toThrow(TensorShapeError);
    const { 'tokenizer.json': _, ...noTok } = files;
    await expect(loadModel(memorySource('x', noTok))).rejects.toThrow(MissingFileError);
    await expect(loadModel(memorySource('x', { 'README.md': new Uint8Array(3) }))).rejects.toThrow(UnrecognizedModelError);
  });

  it('reads from a Node folder, a single Node file and browser File objects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'besa-model-'));
    const files = hfFiles(spec, w);
    for (const [n, b] of Object.entries(files)) writeFileSync(join(dir, n), b);
    const a = await loadModel(nodeDirSource(dir));
    const b = await loadModel(browserFilesSource(Object.entries(files).map(([n, by]) => new File([by as Uint8Array<ArrayBuffer>], n))));
    expect(a.weightsSha256).toBe(b.weightsSha256);
    expect(a.weights.blocks[0].q.w).toEqual(b.weights.blocks[0].q.w);
    const l2dir = mkdtempSync(join(tmpdir(), 'besa-l2c-'));
    const l2spec = tinyModelSpec(SPEC_SHAPES.llama2c);
    writeFileSync(join(l2dir, 'm.bin'), writeLlama2c(l2spec, randomWeights(l2spec, 1)));
    writeFileSync(join(l2dir, 'tokenizer.bin'), writeLlama2cTokenizer(spmLlama2cPieces()));
    const c = await loadModel(await nodeFileSource(join(l2dir, 'm.bin')));
    expect(c.format).toBe('llama2c');
    await expect(nodeFileSource(join(l2dir, 'nope.bin'))).rejects.toThrow(MissingFileError);
    // a second checkpoint in the folder: the folder is ambiguous (both named), the picked file is not
    writeFileSync(join(l2dir, 'other.bin'), writeLlama2c(l2spec, randomWeights(l2spec, 2)));
    await expect(loadModel(nodeDirSource(l2dir))).rejects.toThrow(/several checkpoint files: (m|other)\.bin, (other|m)\.bin/);
    await expect(loadModel(nodeDirSource(l2dir))).rejects.toThrow(AmbiguousModelFileError);
    expect((await loadModel(await nodeFileSource(join(l2dir, 'm.bin')))).weightsSha256).toBe(c.weightsSha256);
  });

  it('a Git LFS pointer where the weights should be is named, with the real size and what to do', async () => {
    const spec = tinyModelSpec(SPEC_SHAPES.gqa62);
    const pointer = new TextEncoder().encode(
      'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'ab'.repeat(32) + '\nsize 269060552\n',
    );
    const files = { ...hfFiles(spec, randomWeights(spec, 3)), 'model.safetensors': pointer };
    await expect(loadModel(memorySource('lfs', files))).rejects.toThrow(LfsPointerError);
    await expect(loadModel(memorySource('lfs', files))).rejects.toThrow(/LFS pointer.*269060552 bytes.*git lfs pull/);
    await expect(loadModel(memorySource('lfs', { 'model.bin': pointer, 'tokenizer.bin': pointer }))).rejects.toThrow(LfsPointerError);
  });
});

describe('export as an HF folder', () => {
  it('a llama2.c model exported and re-loaded gives the same logits and keeps the tokenizer', async () => {
    const spec = tinyModelSpec({ ...SPEC_SHAPES.llama2c, tiedEmbeddings: true });
    const w = randomWeights(spec, 4);
    const files = exportHfFiles(spec, w, { extraFiles: { 'tokenizer.json': enc(spmTokenizerJson()) }, metadata: { method: 'test' } });
    const m = await loadModel(memorySource('exp', files));
    expect(m.spec).toMatchObject({ family: 'llama', ropeLayout: 'half', tiedEmbeddings: true });
    expect(relErr(forwardCpu(m.spec, m.weights, IDS), forwardCpu(spec, w, IDS))).toBeLessThan(1e-5);
    const hdr = JSON.parse(
      new TextDecoder().decode(
        files['model.safetensors'].subarray(8, 8 + new DataView(files['model.safetensors'].buffer).getUint32(0, true)),
      ),
    );
    expect(hdr.__metadata__).toEqual({ format: 'pt', method: 'test' });
    expect(Object.keys(hdr)).not.toContain('lm_head.weight'); // tied: absent, as HF writes it
  });
});
