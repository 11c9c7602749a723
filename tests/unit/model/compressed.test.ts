// Sparse-bitmask exports (compressed-tensors, src/model/compressed.ts): our compressor writes exactly the tensors
// the library's own BitmaskCompressor writes (names, dtypes, shapes, bytes; tests/fixtures/compressed/bitmask.json
// from tools/make_compressed_fixture.py), an exported pruned model (f32 and bf16) loads back with the same
// weights, bit for bit, its config carries the sparsity_config block, and it is smaller than the dense export;
// a damaged group is a named error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bitmaskCompress, bitmaskDecompress } from '../../../src/model/compressed';
import { CorruptFileError } from '../../../src/model/errors';
import { exportHfFiles } from '../../../src/model/export';
import { loadModel } from '../../../src/model/loader';
import { parseSafetensors } from '../../../src/model/safetensors';
import { memorySource } from '../../../src/model/sources';
import { linearOf, LINEAR_NAMES } from '../../../src/model/spec';
import { halfArray, isHalf, type WeightArray } from '../../../src/model/weightArray';
import { ROOT } from '../prune/engineFixture';
import { expectLibraryTensors, prunedMicro, readFixture, sameBits } from './compressedHelpers';

const fixture = readFixture('bitmask.json');

describe('compressed-tensors sparse-bitmask', () => {
  it('writes the tensors the library writes (names, dtypes, shapes, bytes), also through a safetensors file', () => {
    expectLibraryTensors(fixture, bitmaskCompress);
  });

  for (const like of [new Float32Array(1), halfArray('BF16', new Uint16Array(1))] as WeightArray[]) {
    const dt = isHalf(like) ? like.dtype : 'F32';
    it(`a pruned ${dt} model exported as sparse-bitmask loads back with the same weights and is smaller`, async () => {
      const { spec, w } = await prunedMicro(like);
      const dense = exportHfFiles(spec, w);
      const files = exportHfFiles(spec, w, { format: 'sparse-bitmask' });
      expect(files['model.safetensors'].length).toBeLessThan(dense['model.safetensors'].length);
      // the linears alone: ~half the values + 1 bit per weight + an I64 offset per row (micro rows are only 32 wide)
      const linearBytes = (f: Uint8Array, parts: RegExp) => {
        const st = parseSafetensors(f);
        return st
          .names()
          .filter((n) => parts.test(n))
          .reduce((a, n) => a + st.info(n).end - st.info(n).begin, 0);
      };
      const ratio =
        linearBytes(files['model.safetensors'], /_proj\.(compressed|bitmask|row_offsets|shape)$/) /
        linearBytes(dense['model.safetensors'], /_proj\.weight$/);
      expect(ratio).toBeLessThan(dt === 'F32' ? 0.6 : 0.75);
      const cfg = JSON.parse(new TextDecoder().decode(files['config.json'])) as Record<string, Record<string, unknown>>;
      expect(cfg.quantization_config).toMatchObject({ quant_method: 'compressed-tensors', version: '0.14.0.1', transform_config: {} });
      const sc = cfg.quantization_config.sparsity_config as Record<string, unknown>;
      expect(sc).toMatchObject({ format: 'sparse-bitmask', targets: ['Linear'], ignore: ['lm_head'], sparsity_structure: 'unstructured' });
      expect(sc.global_sparsity as number).toBeGreaterThan(0.1); // zeros over all parameters: the embedding is dense
      expect(sc.global_sparsity as number).toBeLessThan(0.5);
      const names = Object.keys(
        JSON.parse(
          new TextDecoder().decode(
            files['model.safetensors'].subarray(8, 8 + new DataView(files['model.safetensors'].buffer).getUint32(0, true)),
          ),
        ),
      );
      expect(names).toContain('model.layers.0.mlp.down_proj.bitmask');
      expect(names).not.toContain('model.layers.0.mlp.down_proj.weight');
      expect(names).toContain('model.embed_tokens.weight'); // not a Linear: stored as it is
      const back = await loadModel(
        memorySource('sparse', { ...files, 'tokenizer.json': readFileSync(join(ROOT, 'public/models/micro/tokenizer.json')) }),
      );
      back.weights.blocks.forEach((b, i) => {
        for (const n of LINEAR_NAMES) expect(sameBits(linearOf(b, n).w, linearOf(w.blocks[i], n).w), `block ${i} ${n}`).toBe(true);
      });
      expect(sameBits(back.weights.embed, w.embed)).toBe(true);
    });
  }

  it('a bitmask that marks more or fewer weights than the values hold is a named error', () => {
    const vals = new Float32Array([1, 2, 3]);
    expect(() => bitmaskDecompress('f', 'p', 1, 4, vals, [0b0011])).toThrow(CorruptFileError);
    expect(() => bitmaskDecompress('f', 'p', 1, 4, vals, [0b1111])).toThrow(/marks more weights/);
    expect(() => bitmaskDecompress('f', 'p', 2, 4, vals, [0b0111])).toThrow(/has 1 bytes, \[2, 4\] needs 2/);
    expect(Array.from(bitmaskDecompress('f', 'p', 1, 4, vals, [0b1101]) as Float32Array)).toEqual([1, 0, 2, 3]);
  });
});
