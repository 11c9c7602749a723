// 2:4 exports (compressed-tensors sparse-24-bitmask, src/model/compressed.ts) and stored bytes (issue #16):
// our compressor writes exactly the tensors the library's Sparse24BitMaskCompressor writes
// (tests/fixtures/compressed/bitmask24.json from tools/make_compressed_fixture.py); a 2:4-pruned micro model
// (f32 and bf16) exported this way loads back bit for bit with the 2:4 config block; a model that is not
// 2:4 sparse is refused by name instead of being pruned further; storedBytes matches the real file sizes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bitmask24Compress, bitmaskDecompress, first24Violation } from '../../../src/model/compressed';
import { ModelExportError } from '../../../src/model/errors';
import { exportHfFiles, storedBytes } from '../../../src/model/export';
import { loadModel } from '../../../src/model/loader';
import { memorySource } from '../../../src/model/sources';
import { linearOf, LINEAR_NAMES } from '../../../src/model/spec';
import { halfArray, isHalf, type WeightArray } from '../../../src/model/weightArray';
import { ROOT } from '../prune/engineFixture';
import { expectLibraryTensors, prunedMicro, readFixture, sameBits } from './compressedHelpers';

const fixture = readFixture('bitmask24.json');
const tokenizer = () => readFileSync(join(ROOT, 'public/models/micro/tokenizer.json'));
const LIKES = [new Float32Array(1), halfArray('BF16', new Uint16Array(1))] as WeightArray[];

describe('compressed-tensors sparse-24-bitmask', () => {
  it('writes the tensors the library writes (names, dtypes, shapes, bytes), also through a safetensors file', () => {
    expect(fixture.format).toBe('sparse-24-bitmask');
    expectLibraryTensors(fixture, bitmask24Compress);
  });

  it('flags exactly 2 of every 4 even where a group has fewer non-zeros, and decompresses to the same weights', () => {
    // groups with 4, 3, 2 zeros (and -0): the library flags whichever zeros torch.topk picks; we flag the last ones
    const w = new Float32Array([0, 0, 0, 0, 5, 0, 0, 0, 0, -0, 3, -2, 0, 7, -0, 0]);
    const t = bitmask24Compress('p', w, 2, 8);
    const mask = (t.get('p.bitmask')!.data as { bytes: Uint8Array }).bytes;
    expect(Array.from(mask)).toEqual([0b10011100, 0b10101100]);
    const vals = t.get('p.compressed')!.data as Float32Array;
    expect(t.get('p.compressed')!.shape).toEqual([2, 4]);
    const back = bitmaskDecompress('f', 'p', 2, 8, vals, mask) as Float32Array;
    expect(Array.from(back)).toEqual(Array.from(w).map((v) => v || 0));
  });

  it('refuses a weight that is not 2:4 sparse, naming the tensor, the row and the fix', () => {
    const w = new Float32Array([1, 0, 2, 0, 1, 2, 3, 0]); // row 0: the second group keeps 3
    expect(first24Violation(w, 1, 8)).toEqual([0, 4]);
    expect(() => bitmask24Compress('model.layers.0.mlp.up_proj', w, 1, 8)).toThrow(ModelExportError);
    expect(() => bitmask24Compress('model.layers.0.mlp.up_proj', w, 1, 8)).toThrow(
      /up_proj\.weight" row 0, columns 4–7 hold more than 2 non-zeros.*2:4 pattern \(--nm 2:4\).*sparse-bitmask/,
    );
    expect(() => bitmask24Compress('p', new Float32Array(6), 1, 6)).toThrow(/6 columns, not a multiple of 4/);
  });

  for (const like of LIKES) {
    const dt = isHalf(like) ? like.dtype : 'F32';
    it(`a 2:4-pruned ${dt} model exported as sparse-24-bitmask loads back with the same weights`, async () => {
      const { spec, w } = await prunedMicro(like, '2:4');
      const files = exportHfFiles(spec, w, { format: 'sparse-24-bitmask' });
      const cfg = JSON.parse(new TextDecoder().decode(files['config.json'])) as Record<string, Record<string, unknown>>;
      expect(cfg.quantization_config.sparsity_config).toMatchObject({
        format: 'sparse-24-bitmask',
        sparsity_structure: '2:4',
        targets: ['Linear'],
        ignore: ['lm_head'],
        registry_requires_subclass: false,
      });
      const back = await loadModel(memorySource('sparse24', { ...files, 'tokenizer.json': tokenizer() }));
      back.weights.blocks.forEach((b, i) => {
        for (const n of LINEAR_NAMES) expect(sameBits(linearOf(b, n).w, linearOf(w.blocks[i], n).w), `block ${i} ${n}`).toBe(true);
      });
    });
  }

  it('a model that is not 2:4 sparse is refused for sparse-24-bitmask', async () => {
    const { spec, w } = await prunedMicro(new Float32Array(1));
    expect(() => exportHfFiles(spec, w, { format: 'sparse-24-bitmask' })).toThrow(ModelExportError);
  });
});

describe('sparsity_config', () => {
  // what compressed-tensors' BitmaskConfig / Sparse24BitMaskConfig dump (tools/make_sparsity_config_fixture.py)
  const golden = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/compressed/sparsity_config.json'), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >;
  for (const [format, pattern] of [
    ['sparse-bitmask', 'random'],
    ['sparse-24-bitmask', '2:4'],
  ] as const)
    it(`${format}: the block the library's config class dumps, fields in its order`, async () => {
      const { spec, w } = await prunedMicro(LIKES[0], pattern);
      const cfg = JSON.parse(new TextDecoder().decode(exportHfFiles(spec, w, { format })['config.json'])) as {
        quantization_config: { sparsity_config: Record<string, unknown> };
      };
      const ours = cfg.quantization_config.sparsity_config;
      const want = { ...golden[format], global_sparsity: ours.global_sparsity };
      expect(Object.keys(ours)).toEqual(Object.keys(want));
      expect(ours).toEqual(want);
    });
});

describe('stored bytes per export format', () => {
  for (const [like, pattern] of [
    [LIKES[0], 'random'],
    [LIKES[1], '2:4'],
    [LIKES[0], '2:4'],
  ] as const) {
    const dt = isHalf(like) ? like.dtype : 'F32';
    it(`equal the real model.safetensors sizes (${dt}, ${pattern}), and compressed is smaller`, async () => {
      const { spec, w } = await prunedMicro(like, pattern);
      const meta = { method: 'wanda', source_sha256: 'ab'.repeat(32) };
      const sizes = storedBytes(spec, w, meta);
      const size = (format: 'dense' | 'sparse-bitmask' | 'sparse-24-bitmask') =>
        exportHfFiles(spec, w, { format, metadata: meta })['model.safetensors'].length;
      expect(sizes.dense).toBe(size('dense'));
      expect(sizes['sparse-bitmask']).toBe(size('sparse-bitmask'));
      expect(sizes['sparse-bitmask']).toBeLessThan(sizes.dense);
      if (pattern === 'random') expect(sizes['sparse-24-bitmask']).toBeNull();
      else {
        expect(sizes['sparse-24-bitmask']).toBe(size('sparse-24-bitmask'));
        expect(sizes['sparse-24-bitmask']!).toBeLessThan(sizes['sparse-bitmask']!); // no row offsets
      }
    });
  }
});
