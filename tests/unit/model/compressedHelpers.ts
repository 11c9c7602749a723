// Shared by the compressed-tensors tests: the golden fixtures of tools/make_compressed_fixture.py, comparing our
// compressor's tensors with the library's (names, dtypes, shapes, bytes, also through a safetensors file), and a
// micro model with pruned linears in f32 or bf16.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { isRawTensor, parseSafetensors, writeSafetensors, type TensorToWrite } from '../../../src/model/safetensors';
import { linearOf, LINEAR_NAMES, type StoredWeights } from '../../../src/model/spec';
import { halfArray, isHalf, storeLike, type WeightArray } from '../../../src/model/weightArray';
import { loadMicro, ROOT } from '../prune/engineFixture';

export interface Hex {
  dtype: string;
  shape: number[];
  hex: string;
}
export interface CompressedFixture {
  format: string;
  inputs: Record<string, Hex>;
  targets: string[];
  outputs: Record<string, Hex>;
  /** The whole file safetensors.torch.save_file writes of the outputs (metadata {format: pt}). */
  file: string;
}
export const readFixture = (file: string) =>
  JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/compressed', file), 'utf8')) as CompressedFixture;
export const bytesOfHex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
export const hexOf = (b: Uint8Array) => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');

export function arrayOf(t: Hex): WeightArray {
  const b = bytesOfHex(t.hex);
  return t.dtype === 'F32' ? new Float32Array(b.buffer) : halfArray(t.dtype as 'BF16', new Uint16Array(b.buffer));
}

export function bytesOfData(d: WeightArray | { bytes: Uint8Array }): Uint8Array {
  if ('bytes' in d) return d.bytes;
  const a = isHalf(d) ? d.bits : d;
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export const sameBits = (a: WeightArray, b: WeightArray) => hexOf(bytesOfData(a)) === hexOf(bytesOfData(b));

type Compress = (prefix: string, w: WeightArray, rows: number, cols: number) => Map<string, TensorToWrite>;

/** Our compressor on the fixture's inputs writes exactly the library's outputs, and our writer the reference writer's file. */
export function expectLibraryTensors(fixture: CompressedFixture, compress: Compress): void {
  const ours = new Map<string, Hex>();
  const toWrite = new Map<string, TensorToWrite>();
  for (const [name, t] of Object.entries(fixture.inputs)) {
    const prefix = name.slice(0, -'.weight'.length);
    if (!fixture.targets.includes(prefix)) {
      ours.set(name, t);
      toWrite.set(name, { shape: t.shape, data: arrayOf(t) });
      continue;
    }
    for (const [k, v] of compress(prefix, arrayOf(t), t.shape[0], t.shape[1])) {
      const dtype = isRawTensor(v.data) ? v.data.dtype : isHalf(v.data) ? v.data.dtype : 'F32';
      ours.set(k, { dtype, shape: [...v.shape], hex: hexOf(bytesOfData(v.data)) });
      toWrite.set(k, v);
    }
  }
  expect([...ours.keys()].sort()).toEqual(Object.keys(fixture.outputs).sort());
  for (const [k, v] of ours) expect(v, k).toEqual(fixture.outputs[k]);
  const bytes = writeSafetensors(toWrite);
  expect(hexOf(bytes), 'the whole file, as safetensors.torch.save_file writes it').toBe(fixture.file);
  const file = parseSafetensors(bytes);
  for (const [k, v] of Object.entries(fixture.outputs)) {
    const info = file.info(k);
    expect({ dtype: info.dtype, shape: info.shape }, k).toEqual({ dtype: v.dtype, shape: v.shape });
    expect(hexOf(file.bytes.subarray(info.begin, info.end)), k).toBe(v.hex);
  }
}

/**
 * Micro with every linear pruned, stored as `like` (f32 or bf16): ~half zeroed at random positions, or ('2:4') the
 * 2 smallest |w| of every group of 4 along a row zeroed.
 */
export async function prunedMicro(
  like: WeightArray,
  pattern: 'random' | '2:4' = 'random',
): Promise<{ spec: Awaited<ReturnType<typeof loadMicro>>['spec']; w: StoredWeights }> {
  const m = await loadMicro();
  const rng = new Rng(3);
  const blocks = m.weights.blocks.map((b) => {
    const nb: StoredWeights['blocks'][number] = { ...b }; // norms stay f32 (ModelWeights keeps them so)
    for (const n of LINEAR_NAMES)
      nb[n] = {
        ...linearOf(b, n),
        w: storeLike(like, pattern === '2:4' ? prune24(linearOf(b, n).w) : linearOf(b, n).w.map((v) => (rng.next() < 0.5 ? 0 : v))),
      };
    return nb;
  });
  const st = (x: Float32Array) => storeLike(like, x);
  return {
    spec: m.spec,
    w: { embed: st(m.weights.embed), finalNorm: m.weights.finalNorm, lmHead: st(m.weights.lmHead), blocks } as StoredWeights,
  };
}

/** Zero the 2 smallest |w| of every group of 4 (row-major, so along a row when cols % 4 = 0). */
export function prune24(w: Float32Array): Float32Array {
  const out = w.slice();
  for (let g = 0; g < out.length; g += 4) {
    const order = [0, 1, 2, 3].sort((a, b) => Math.abs(out[g + a]) - Math.abs(out[g + b]));
    out[g + order[0]] = 0;
    out[g + order[1]] = 0;
  }
  return out;
}
