// NaN/Inf guards (src/prune/finite.ts, docs/reliability.md): a non-finite value stops the run with a
// NonFiniteError naming the block and the place, and the blocks committed before it stay in the
// checkpoint; BESA's loss is checked every step.
import { describe, expect, it } from 'vitest';
import { embedCpu } from '../../../src/model/forward';
import { linearOf, type LinearName } from '../../../src/model/spec';
import { MemoryCheckpointStore } from '../../../src/prune/checkpoint';
import { DEFAULT_BESA } from '../../../src/prune/config';
import { CpuBlockExecutor } from '../../../src/prune/executor';
import { assertFinite, firstNonFinite, NonFiniteError } from '../../../src/prune/finite';
import { besaBlock } from '../../../src/prune/methods/besa';
import { runPipeline } from '../../../src/prune/pipeline';
import { calibIds, loadMicro, microConfig } from './engineFixture';

/** The micro model with one weight of block `b`'s q projection (or the embedding, b = -1) set to v. */
async function poisoned(b: number, v: number) {
  const m = await loadMicro();
  const blocks = m.weights.blocks.map((blk) => ({ ...blk }));
  const weights = { ...m.weights, blocks };
  if (b < 0)
    weights.embed = new Float32Array(m.weights.embed.length).fill(v); // every token row
  else blocks[b].q = { ...blocks[b].q, w: blocks[b].q.w.map((x, i) => (i === 3 ? v : x)) };
  return { ...m, weights };
}

describe('NaN/Inf guards', () => {
  it('firstNonFinite / assertFinite name the element', () => {
    expect(firstNonFinite([1, 2, 3])).toBe(-1);
    expect(firstNonFinite(new Float32Array([0, Infinity, NaN]))).toBe(1);
    expect(() => assertFinite('x', [[1], [2, NaN]], 'do y')).toThrow(new NonFiniteError('x holds NaN (array 1, element 1). do y'));
  });

  it('NaN weights in block 1: the run stops at block 1 with the place named; block 0 stays in the checkpoint', async () => {
    const m = await poisoned(1, NaN);
    const cfg = microConfig({ method: 'wanda' });
    const checkpoint = new MemoryCheckpointStore();
    const err = await runPipeline({
      model: m,
      config: cfg,
      calibrationIds: calibIds(m, cfg),
      executor: new CpuBlockExecutor(m.spec),
      checkpoint,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as Error).message).toMatch(/^block 1: the dense block's output holds NaN .*check the checkpoint/);
    expect((await checkpoint.load())?.completed).toBe(1);
  });

  it('an infinite embedding is caught before block 0 learns anything', async () => {
    const m = await poisoned(-1, Infinity);
    const cfg = microConfig({ method: 'besa' });
    const run = runPipeline({ model: m, config: cfg, calibrationIds: calibIds(m, cfg), executor: new CpuBlockExecutor(m.spec) });
    await expect(run).rejects.toThrow(/^block 0: the calibration activations entering it holds Infinity/);
  });

  it('BESA: a NaN reconstruction loss mid-block stops at that step and suggests a lower d_coef', async () => {
    const m = await loadMicro();
    const cfg = microConfig();
    const ids = calibIds(m, cfg);
    const exec = new CpuBlockExecutor(m.spec);
    const block = m.weights.blocks[0];
    const T = cfg.seqlen;
    const Xp = Array.from({ length: 3 }, (_, b) => embedCpu(m.spec, m.weights, ids.subarray(b * T, (b + 1) * T)));
    const Yref = await Promise.all(Xp.map(async (x) => (await exec.forward(block, x, null)).y));
    Yref[1][5] = NaN; // the target of the second step
    const steps: number[] = [];
    const run = besaBlock({
      exec,
      block,
      Xp,
      Yref,
      scalerRow: (n: LinearName) => new Float64Array(linearOf(block, n).in).fill(1),
      target: 0.5,
      opts: DEFAULT_BESA,
      onStep: (s) => steps.push(s.step),
    });
    await expect(run).rejects.toThrow(/^BESA step 2\/3: the reconstruction loss holds NaN .*lower d_coef/);
    expect(steps).toEqual([0]);
  });
});
