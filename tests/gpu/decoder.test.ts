import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { generate, lastRow, type NextTokenLogits } from '../../src/eval/generate';
import { gpuIncrementalDecoder, type GpuDecoder } from '../../src/gpu/decoder';
import { gpuForwardLogits } from '../../src/gpu/modelForward';
import { destroyModel, uploadModel } from '../../src/gpu/modelWeights';
import { forwardCpu } from '../../src/model/forward';
import { loadModel } from '../../src/model/loader';
import { nodeDirSource } from '../../src/model/sourceNode';
import { createGpuEngine } from '../../src/prune/gpuEngine';
import { generateAll } from '../../src/worker/outputs';
import type { ModelSpec, StoredWeights } from '../../src/model/spec';
import { randomWeights, SPEC_SHAPES, tinyModelSpec } from '../support/specs';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

const ROOT = resolve(__dirname, '../..');
// f32 logits from two op orders over the same weights (decoder: 1-row products; full forward: T rows)
const ATOL = 2e-4;
const RTOL = 1e-4;

/** Wraps the decoder: every answer is checked against the full forward's last row before it is used. */
function checked(dec: NextTokenLogits, full: NextTokenLogits, tag: string, log: number[]): NextTokenLogits {
  return async (ids) => {
    const got = await dec(ids);
    const ref = await full(ids);
    const r = expectClose(got, ref, { atol: ATOL, rtol: RTOL, what: `${tag} len ${ids.length}` });
    log.push(r.maxAbs);
    return got;
  };
}

async function setup(spec: ModelSpec, weights: StoredWeights) {
  const rt = await getRuntime();
  const g = uploadModel(rt, spec, weights);
  return { rt, g, full: lastRow(gpuForwardLogits(rt, g), spec.vocabSize) };
}

describe('gpuIncrementalDecoder (KV cache) vs the full forward', () => {
  it('micro model: every step equals the full-forward last row (GPU and CPU), across a slid context window', async () => {
    const m = await loadModel(nodeDirSource(join(ROOT, 'public/models/micro')));
    const { rt, g, full } = await setup(m.spec, m.weights);
    const dec = gpuIncrementalDecoder(rt, g);
    const prompt = m.tokenizer.encode('The state of the union');
    expect(prompt.length).toBeGreaterThan(2);
    const log: number[] = [];
    // contextLength < prompt + N new tokens: generate() slides the window and the decoder re-prefills
    const N = 10;
    const ctx = prompt.length + 6;
    const cpuChecked: NextTokenLogits = async (ids) => {
      const got = await checked(dec, full, 'micro', log)(ids);
      const cpu = forwardCpu(m.spec, m.weights, ids);
      expectClose(got, cpu.subarray((ids.length - 1) * m.spec.vocabSize), {
        atol: ATOL,
        rtol: RTOL,
        what: `micro vs CPU len ${ids.length}`,
      });
      return got;
    };
    const out = await generate(cpuChecked, prompt, { maxNewTokens: N, temperature: 0.8, seed: 3, contextLength: ctx });
    expect(out.length).toBe(N);
    // prefills: the prompt, then one per token once the window is full (the ids no longer extend the previous ones)
    const windowCalls = prompt.length + N - 1 - ctx; // calls whose ids exceed ctx
    expect(dec.stats).toMatchObject({ prefills: 1 + windowCalls, steps: N - 1 - windowCalls });
    console.log(
      `micro: ${dec.stats.steps} cached steps, ${dec.stats.prefills} prefills, max|Δ| vs full ${Math.max(...log).toExponential(2)}`,
    );
    dec.dispose();
    destroyModel(rt, g);
  });

  it('micro model: greedy generate() gives the same 20 tokens as lastRow(full forward), through the worker path too', async () => {
    const m = await loadModel(nodeDirSource(join(ROOT, 'public/models/micro')));
    const rt = await getRuntime();
    const eng = createGpuEngine(rt, m.spec);
    const prompt = m.tokenizer.encode('Mr. Speaker, the');
    const opts = { maxNewTokens: 20, contextLength: m.spec.maxSeqLen };
    const ref = await generate(lastRow(eng.forwardFactory(m.spec, m.weights), m.spec.vocabSize), prompt, opts);
    const dec = eng.decoderFactory!(m.spec, m.weights);
    const got = await generate(dec, prompt, opts);
    expect(got).toEqual(ref);
    expect(dec.stats).toMatchObject({ prefills: 1, steps: 19 });
    dec.dispose();
    // the studio worker's generateText (src/worker/outputs.ts) with the engine's decoder factory
    const decoders: GpuDecoder[] = [];
    const factory = (s: ModelSpec, w: StoredWeights) => {
      const d = eng.decoderFactory!(s, w);
      decoders.push(d);
      return d;
    };
    const req = { id: 1, type: 'generate' as const, prompt: 'Mr. Speaker, the', maxNewTokens: 20, seed: 0, temperature: 0, runIds: [] };
    const [gen] = await generateAll(m, eng.forwardFactory, req, new Map(), factory);
    expect(gen.text).toBe(m.tokenizer.decode(ref));
    expect(decoders.length).toBe(1);
    expect(decoders[0].stats.steps).toBe(gen.tokens - 1);
    await expect(decoders[0](Int32Array.of(1))).rejects.toThrow(/after dispose/); // generateText freed it
    console.log(`micro greedy: ${JSON.stringify(gen.text)}`);
    eng.dispose();
  });

  // random shapes: GQA/MQA, interleaved RoPE, qkv bias, head dims that are not powers of two
  const SHAPES: [string, Partial<ModelSpec>][] = [
    ['GQA 6:2 D=10', SPEC_SHAPES.gqa62],
    ['MQA 3:1 interleaved, qkv bias, tied', SPEC_SHAPES.mqa31Interleaved],
  ];
  SHAPES.forEach(([name, over], si) => {
    it(`random ${name}: 1-token prompt, cache growth, new prompt, window slide`, async () => {
      const spec = tinyModelSpec(over);
      const { rt, g, full } = await setup(spec, randomWeights(spec, 100 + si));
      const rng = new Rng(7 + si);
      const log: number[] = [];
      // 1-token prompt, then 9 single-token extensions: the caches grow 3 → 6 → 12 positions (rows copied)
      const dec = gpuIncrementalDecoder(rt, g, { initialCapacity: 3 });
      const next = checked(dec, full, name, log);
      const ids = [rng.int(spec.vocabSize)];
      for (let i = 0; i < 10; i++) {
        await next(Int32Array.from(ids));
        ids.push(rng.int(spec.vocabSize));
      }
      expect(dec.stats).toMatchObject({ prefills: 1, steps: 9, capacity: 12 });
      // an unrelated prompt of length + 1 (different prefix) must not reuse the cache
      await next(Int32Array.from({ length: 11 }, () => rng.int(spec.vocabSize)));
      expect(dec.stats.prefills).toBe(2);
      // generate() through the window: contextLength 6 from a 3-token prompt, 6 tokens
      const d2 = gpuIncrementalDecoder(rt, g);
      const n2 = checked(d2, full, `${name} window`, log);
      await generate(
        n2,
        Array.from({ length: 3 }, () => rng.int(spec.vocabSize)),
        { maxNewTokens: 6, temperature: 1, seed: si, contextLength: 6 },
      );
      expect(d2.stats).toMatchObject({ prefills: 1 + (3 + 6 - 1 - 6), steps: 6 - 1 - (3 + 6 - 1 - 6) });
      console.log(`${name}: max|Δ| vs full forward ${Math.max(...log).toExponential(2)}`);
      dec.dispose();
      d2.dispose();
      await expect(dec(Int32Array.of(1))).rejects.toThrow(/after dispose/);
      destroyModel(rt, g);
    });
  });

  it('rejects token ids outside the vocabulary before touching the cache', async () => {
    const spec = tinyModelSpec();
    const { rt, g, full } = await setup(spec, randomWeights(spec, 9));
    const dec = gpuIncrementalDecoder(rt, g);
    await dec(Int32Array.of(3, 4));
    await expect(dec(Int32Array.of(3, 4, spec.vocabSize))).rejects.toThrow(/outside the vocabulary/);
    const ids = Int32Array.of(3, 4, 5);
    expectClose(await dec(ids), await full(ids), { atol: ATOL, rtol: RTOL, what: 'after a rejected call' });
    expect(dec.stats).toMatchObject({ prefills: 1, steps: 1 });
    dec.dispose();
    destroyModel(rt, g);
  });
});
