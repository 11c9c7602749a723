import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { argmax, generate, GenerationSettingsError, lastRow, sampleTopP } from '../../../src/eval/generate';
import { cpuForwardLogits } from '../../../src/model/forward';
import { randomWeights, tinyModelSpec } from '../../support/specs';

const V = 8;
/** Next-token logits depend only on the last token: a fixed random table. */
const table = (() => {
  const r = new Rng(12);
  return Array.from({ length: V }, () => Float32Array.from({ length: V }, () => 3 * r.normal()));
})();
const next = (ids: Int32Array) => table[ids[ids.length - 1]];

describe('generation', () => {
  it('greedy follows the argmax chain and stops at EOS', async () => {
    const out = await generate(next, [0], { maxNewTokens: 6 });
    let cur = 0;
    const want: number[] = [];
    for (let i = 0; i < 6; i++) want.push((cur = argmax(table[cur])));
    expect(out).toEqual(want);
    const stop = await generate(next, [0], { maxNewTokens: 6, eosId: want[1] });
    expect(stop).toEqual(want.slice(0, 2));
  });

  it('seeded top-p sampling is reproducible and seed-dependent', async () => {
    const o = { maxNewTokens: 40, temperature: 1, topP: 0.9 };
    const a = await generate(next, [1], { ...o, seed: 5 });
    expect(await generate(next, [1], { ...o, seed: 5 })).toEqual(a);
    expect(await generate(next, [1], { ...o, seed: 6 })).not.toEqual(a);
  });

  it('top-p keeps only the nucleus; tiny top-p equals greedy', async () => {
    const logits = Float32Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)]);
    const rng = new Rng(1);
    const counts = [0, 0, 0, 0];
    const N = 20000;
    for (let i = 0; i < N; i++) counts[sampleTopP(logits, 1, 0.8, rng)]++;
    expect(counts[2] + counts[3]).toBe(0); // 0.5 + 0.3 reaches 0.8: tokens 2, 3 are outside the nucleus
    expect(counts[0] / N).toBeCloseTo(0.5 / 0.8, 1.5);
    const full = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) full[sampleTopP(logits, 1, 1, rng)]++;
    [0.5, 0.3, 0.15, 0.05].forEach((p, i) => expect(Math.abs(full[i] / N - p)).toBeLessThan(0.015));
    expect(await generate(next, [3], { maxNewTokens: 5, temperature: 0.7, topP: 1e-6, seed: 2 })).toEqual(
      await generate(next, [3], { maxNewTokens: 5 }),
    );
  });

  it('runs on the CPU model forward with a context window', async () => {
    const spec = tinyModelSpec({ nLayers: 1, maxSeqLen: 6 });
    const fwd = lastRow(cpuForwardLogits(spec, randomWeights(spec, 3)), spec.vocabSize);
    const out = await generate(fwd, [1, 5, 9], { maxNewTokens: 8, temperature: 0.8, topP: 0.95, seed: 1, contextLength: spec.maxSeqLen });
    expect(out).toHaveLength(8);
    expect(out.every((t) => t >= 0 && t < spec.vocabSize)).toBe(true);
    await expect(generate(fwd, [], { maxNewTokens: 1 })).rejects.toThrow(/prompt/);
  });

  it('rejects bad sampling settings and an empty prompt with GenerationSettingsError naming the setting', async () => {
    await expect(generate(next, [0], { maxNewTokens: 1, temperature: -1 })).rejects.toThrow(GenerationSettingsError);
    await expect(generate(next, [0], { maxNewTokens: 1, topP: 0 })).rejects.toThrow(/topP must be in \(0, 1\]/);
    await expect(generate(next, [], { maxNewTokens: 1 })).rejects.toThrow(/at least one token/);
  });
});
