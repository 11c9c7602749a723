import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { blockForwardCpu, embedCpu, ForwardInputError, forwardCpu, headCpu } from '../../../src/model/forward';
import { loadModel } from '../../../src/model/loader';
import { parseSafetensors } from '../../../src/model/safetensors';
import { nodeDirSource } from '../../../src/model/sourceNode';
import { ROOT } from './fixtures';
import { randomWeights, tinyModelSpec } from '../../support/specs';
import { expectClose } from '../../support/close';
import { weightsToF32 } from '../../../src/model/spec';

describe('CPU reference forward', () => {
  const spec = tinyModelSpec({ nLayers: 3 });
  const w = randomWeights(spec, 21);
  const rng = new Rng(8);
  const ids = Array.from({ length: 13 }, () => rng.int(spec.vocabSize));

  it('is embed → blocks → final norm + head, logits [T, V]', () => {
    let x = embedCpu(spec, w, ids);
    for (const b of w.blocks) x = blockForwardCpu(spec, b, x);
    const logits = forwardCpu(spec, w, ids);
    expect(logits.length).toBe(ids.length * spec.vocabSize);
    expect(headCpu(spec, w, x)).toEqual(logits);
    expect(logits.every(Number.isFinite)).toBe(true);
  });

  it('is causal: changing later tokens leaves earlier logits unchanged', () => {
    const a = forwardCpu(spec, w, ids);
    const ids2 = [...ids];
    ids2[9] = (ids2[9] + 1) % spec.vocabSize;
    const b = forwardCpu(spec, w, ids2);
    const V = spec.vocabSize;
    expect(b.subarray(0, 9 * V)).toEqual(a.subarray(0, 9 * V));
    expect(Math.max(...Array.from(b.subarray(9 * V), (v, i) => Math.abs(v - a[9 * V + i])))).toBeGreaterThan(1e-3);
    // prefix property: the forward of a prefix equals the prefix of the forward
    const p = forwardCpu(spec, w, ids.slice(0, 5));
    const full = a.subarray(0, 5 * V);
    for (let i = 0; i < p.length; i++) expect(Math.abs(p[i] - full[i])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(full[i]));
  });

  it('rejects ids outside the vocabulary with a named error', () => {
    expect(() => forwardCpu(spec, w, [1, spec.vocabSize])).toThrow(ForwardInputError);
    expect(() => forwardCpu(spec, w, [])).toThrow(ForwardInputError);
  });
});

// PyTorch golden (tools/make_fixtures.py over tools/llama.py, computed in f64, stored F32) for the
// micro model: tensors `logits.<k>` [T, V] for ids golden.json["ids.<k>"] (tests/fixtures/micro/README.md).
const microDir = join(ROOT, 'public/models/micro');
const goldenDir = join(ROOT, 'tests/fixtures/micro');
describe('micro model vs PyTorch golden (tests/fixtures/micro)', () => {
  const load = async () => ({
    m: await loadModel(nodeDirSource(microDir)),
    meta: JSON.parse(readFileSync(join(goldenDir, 'golden.json'), 'utf8')) as Record<string, unknown>,
    g: parseSafetensors(new Uint8Array(readFileSync(join(goldenDir, 'golden.safetensors'))), 'golden.safetensors'),
  });
  const compare = (what: string, got: Float32Array, ref: Float32Array) => {
    const r = expectClose(got, ref, { atol: 1e-5, rtol: 1e-4, what });
    let maxRef = 0;
    for (let i = 0; i < ref.length; i++) maxRef = Math.max(maxRef, Math.abs(ref[i]));
    console.log(`${what}: max|Δ| ${r.maxAbs.toExponential(2)}, max|ref| ${maxRef.toFixed(3)}, rel ${(r.maxAbs / maxRef).toExponential(2)}`);
    expect(r.maxAbs / maxRef, what).toBeLessThanOrEqual(1e-4);
  };

  it('CPU forward matches the golden logits (atol 1e-5 + rtol 1e-4, and <= 1e-4 relative to max|logit|)', async () => {
    const { m, meta, g } = await load();
    const keys = g.names().filter((n) => n.startsWith('logits.'));
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      const ids = meta[`ids.${k.slice('logits.'.length)}`] as number[];
      expect(Array.isArray(ids), `golden.json ids for ${k}`).toBe(true);
      expect(g.info(k).shape).toEqual([ids.length, m.spec.vocabSize]);
      compare(k, forwardCpu(m.spec, weightsToF32(m.weights), ids), g.f32(k));
    }
  });

  it('blockForwardCpu matches block 0 on the golden random input', async () => {
    const { m, g } = await load();
    compare('block0.block_out', blockForwardCpu(m.spec, weightsToF32(m.weights).blocks[0], g.f32('block0.x')), g.f32('block0.block_out'));
  });
});
