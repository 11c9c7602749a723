// Real model shapes (issue #11, docs/real-models.md): synthetic bf16 checkpoints with the exact shapes of
// SmolLM2-135M and Qwen2.5-0.5B (src/cli/synthetic.ts, fewer blocks to keep the test short) load through
// the real loader with their weights kept as bf16 views into the file bytes, prune with bf16 kept exact,
// export as bf16 and load back bit for bit. A bf16 copy of the default model prunes to the same masks as
// the same values held in f32. A tokenizer from another model is refused with both sizes.
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticCheckpoint } from '../../../src/cli/synthetic';
import { TokenizerMismatchError } from '../../../src/model/errors';
import { exportHfFiles } from '../../../src/model/export';
import { loadModel, type LoadedModel } from '../../../src/model/loader';
import { memorySource } from '../../../src/model/sources';
import { nodeDirSource } from '../../../src/model/sourceNode';
import { linearOf, LINEAR_NAMES, weightsToF32, type StoredWeights } from '../../../src/model/spec';
import { dtypeOf, halfArray, isHalf, storeLike, type HalfArray, type WeightArray } from '../../../src/model/weightArray';
import { runPipeline } from '../../../src/prune/pipeline';
import { WasmBlockExecutor } from '../../../src/prune/wasmExecutor';
import { calibIds, microConfig, ROOT } from '../prune/engineFixture';

const tmp = mkdtempSync(join(tmpdir(), 'besa-shapes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const half = (a: WeightArray): HalfArray => {
  if (!isHalf(a)) throw new Error(`expected 16-bit storage, got ${dtypeOf(a)}`);
  return a;
};

/** Bitwise equality of two typed arrays (toEqual walks millions of elements one by one: too slow here). */
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

/** Wanda (or `method`) on the WASM engine over `m` with a tiny calibration set. */
async function wanda(m: LoadedModel, nsamples = 2, seqlen = 32, method: 'wanda' | 'besa' = 'wanda') {
  const cfg = microConfig({ method, nsamples, seqlen, sparsity: 0.5 });
  return runPipeline({ model: m, config: cfg, calibrationIds: calibIds(m, cfg), executor: await WasmBlockExecutor.create(m.spec) });
}

describe('synthetic checkpoints of real model shapes', () => {
  it('SmolLM2-135M shape: bf16 kept as views into the file, pruned exactly in bf16, exported bf16 and read back bit for bit', async () => {
    const dir = join(tmp, 'smollm2');
    await writeSyntheticCheckpoint(dir, 'smollm2-135m', { layers: 2 });
    const m = await loadModel(nodeDirSource(dir));
    expect(m.spec).toMatchObject({ family: 'llama', dim: 576, nLayers: 2, nHeads: 9, nKvHeads: 3, headDim: 64, ffnDim: 1536 });
    expect(m.spec).toMatchObject({ vocabSize: 49152, tiedEmbeddings: true, ropeTheta: 100000, qkvBias: false });
    expect(m.tokenizer.vocabSize).toBe(49152);
    const embed = half(m.weights.embed);
    expect(embed.dtype).toBe('BF16');
    expect(m.weights.lmHead).toBe(m.weights.embed);
    // Every matrix is a view of the one file buffer: the weights cost the file's bytes, not 2× (f32).
    const fileBytes = statSync(join(dir, 'model.safetensors')).size;
    expect(embed.bits.buffer.byteLength).toBe(fileBytes);
    for (const b of m.weights.blocks) for (const n of LINEAR_NAMES) expect(half(linearOf(b, n).w).bits.buffer).toBe(embed.bits.buffer);

    const r = await wanda(m);
    expect(r.status).toBe('completed');
    r.weights.blocks.forEach((b, i) =>
      LINEAR_NAMES.forEach((n) => {
        const got = half(linearOf(b, n).w).bits;
        const dense = half(linearOf(m.weights.blocks[i], n).w).bits;
        const C = linearOf(b, n).in;
        for (let row = 0; row < linearOf(b, n).out; row += 97) {
          let zeros = 0;
          for (let j = row * C; j < (row + 1) * C; j++)
            if ((got[j] & 0x7fff) === 0) zeros++;
            else if (got[j] !== dense[j]) throw new Error(`block ${i} ${n}: a kept weight changed at ${j}`);
          expect(zeros).toBe(C / 2);
        }
      }),
    );

    const files = exportHfFiles(m.spec, r.weights);
    expect(Math.abs(files['model.safetensors'].length - fileBytes) / fileBytes).toBeLessThan(1e-3); // bf16 out: the input's size
    expect(JSON.parse(new TextDecoder().decode(files['config.json'])).torch_dtype).toBe('bfloat16');
    const back = await loadModel(
      memorySource('back', { ...files, 'tokenizer.json': new Uint8Array(await nodeDirSource(dir).read('tokenizer.json')) }),
    );
    for (const n of LINEAR_NAMES)
      expect(sameBytes(half(linearOf(back.weights.blocks[1], n).w).bits, half(linearOf(r.weights.blocks[1], n).w).bits)).toBe(true);
  });

  it('Qwen2.5-0.5B shape: two shards through the index, q/k/v biases, a tokenizer smaller than the padded vocabulary', async () => {
    const dir = join(tmp, 'qwen');
    const { files } = await writeSyntheticCheckpoint(dir, 'qwen2.5-0.5b', { layers: 1 });
    expect(files).toContain('model.safetensors.index.json');
    const m = await loadModel(nodeDirSource(dir));
    expect(m.weightFiles).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(m.spec).toMatchObject({ family: 'qwen2', dim: 896, nHeads: 14, nKvHeads: 2, headDim: 64, ffnDim: 4864, vocabSize: 151936 });
    expect(m.spec).toMatchObject({ qkvBias: true, tiedEmbeddings: true, ropeTheta: 1000000 });
    expect(m.tokenizer.vocabSize).toBe(151665);
    expect(m.weights.blocks[0].q.b).toHaveLength(896);
    expect(half(m.weights.embed).length).toBe(151936 * 896); // 545 MB in f32; 272 MB as stored
  });

  it('a bf16 copy of the default model prunes (Wanda, BESA) to the same masks as the same values held in f32', async () => {
    const f32 = await loadModel(nodeDirSource(join(ROOT, 'public/models/sotu-llama-3m')));
    const toBf16 = (a: WeightArray) => storeLike(halfArray('BF16', new Uint16Array(0)), a as Float32Array);
    const w = f32.weights;
    const bfWeights: StoredWeights = {
      ...w,
      embed: toBf16(w.embed),
      blocks: w.blocks.map((b) => {
        const out = { ...b };
        for (const n of LINEAR_NAMES) out[n] = { ...linearOf(b, n), w: toBf16(linearOf(b, n).w) };
        return out;
      }),
    };
    bfWeights.lmHead = f32.spec.tiedEmbeddings ? bfWeights.embed : toBf16(w.lmHead);
    const bf = { ...f32, weights: bfWeights };
    const sameValuesF32 = { ...f32, weights: weightsToF32(bfWeights) };
    const f32Bytes = (m: typeof f32) =>
      m.weights.blocks.map((b) => LINEAR_NAMES.map((n) => Buffer.from((linearOf(b, n).w as Float32Array).slice().buffer)));
    const before = f32Bytes(sameValuesF32);
    // BESA writes its pruned block into the pipeline's own f32 widening of a bf16 block (mayOverwrite), and
    // into a fresh copy when the block is the model's own f32 arrays, which stay untouched
    for (const method of ['wanda', 'besa'] as const) {
      const [a, b] = [await wanda(bf, 2, 48, method), await wanda(sameValuesF32, 2, 48, method)];
      const wide = weightsToF32(a.weights);
      for (let i = 0; i < f32.spec.nLayers; i++)
        for (const n of LINEAR_NAMES)
          expect(
            sameBytes(linearOf(wide.blocks[i], n).w, linearOf(weightsToF32(b.weights).blocks[i], n).w),
            `${method} block ${i} ${n}`,
          ).toBe(true);
    }
    const after = f32Bytes(sameValuesF32);
    before.forEach((blk, i) =>
      blk.forEach((bytes, j) => expect(bytes.equals(after[i][j]), `f32 block ${i} ${LINEAR_NAMES[j]} unchanged`).toBe(true)),
    );
  });

  it('a tokenizer from another model is refused with both vocabulary sizes', async () => {
    const dir = join(tmp, 'mismatch');
    await writeSyntheticCheckpoint(dir, 'smollm2-135m', { layers: 1 });
    copyFileSync(join(ROOT, 'public/models/sotu-llama-3m/tokenizer.json'), join(dir, 'tokenizer.json'));
    const err = await loadModel(nodeDirSource(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenizerMismatchError);
    expect(String(err)).toMatch(/2048 tokens .*49152/);
  });
});
