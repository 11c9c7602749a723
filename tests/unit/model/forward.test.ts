import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { blockForwardCpu, embedCpu, ForwardInputError, forwardCpu, headCpu } from '../../../src/model/forward';
import { loadModel } from '../../../src/model/loader';
import { parseSafetensors } from '../../../src/model/safetensors';
import { nodeDirSource } from '../../../src/model/sourceNode';
import { ROOT } from './fixtures';
import { randomWeights, tinySpec } from './helpers';

describe('CPU reference forward', () => {
  const spec = tinySpec({ nLayers: 3 });
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

// PyTorch golden (tools/llama.py) for the micro model, when the colleague's fixture is present.
const microDir = join(ROOT, 'public/models/micro');
const goldenDir = join(ROOT, 'tests/fixtures/micro');
const haveGolden = ['golden.safetensors', 'golden.json'].every((f) => existsSync(join(goldenDir, f))) && existsSync(join(microDir, 'config.json'));
describe.skipIf(!haveGolden)('micro model vs PyTorch golden logits (tests/fixtures/micro)', () => {
  it('CPU forward matches golden logits to <= 1e-4 relative error', async () => {
    const m = await loadModel(nodeDirSource(microDir));
    const meta = JSON.parse(readFileSync(join(goldenDir, 'golden.json'), 'utf8'));
    const g = parseSafetensors(new Uint8Array(readFileSync(join(goldenDir, 'golden.safetensors'))), 'golden.safetensors');
    const logitsName = g.names().find((n) => n === 'logits') ?? g.names().find((n) => /logits/.test(n));
    const idsName = g.names().find((n) => /(^|_)ids$|input_ids|tokens/.test(n));
    const idsJson: unknown = meta.ids ?? meta.input_ids ?? meta.tokens;
    if (!logitsName || (!idsName && !Array.isArray(idsJson)))
      throw new Error(`golden format not recognised: tensors [${g.names().join(', ')}], json keys [${Object.keys(meta).join(', ')}]; adapt this test to tests/fixtures/micro/README.md`);
    const ids = idsName ? g.ints(idsName) : (idsJson as unknown[]).flat(3).map(Number);
    const ref = g.f32(logitsName);
    const V = m.spec.vocabSize;
    const B = ref.length / (ids.length * V) === 1 ? 1 : ids.length / (ref.length / V);
    const T = ids.length / B;
    expect(Number.isInteger(T)).toBe(true);
    let maxDiff = 0, maxRef = 0;
    for (let b = 0; b < B; b++) {
      const got = forwardCpu(m.spec, m.weights, ids.slice(b * T, (b + 1) * T));
      const r = ref.subarray(b * T * V, (b + 1) * T * V);
      for (let i = 0; i < r.length; i++) (maxDiff = Math.max(maxDiff, Math.abs(got[i] - r[i]))), (maxRef = Math.max(maxRef, Math.abs(r[i])));
    }
    console.log(`micro golden: B=${B} T=${T} V=${V} max|Δ|=${maxDiff.toExponential(3)} max|ref|=${maxRef.toFixed(3)} rel=${(maxDiff / maxRef).toExponential(3)}`);
    expect(maxDiff / maxRef).toBeLessThanOrEqual(1e-4);
  });
});
