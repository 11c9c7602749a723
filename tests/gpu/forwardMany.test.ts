// Batched dense / pruned passes (GpuBlockExecutor.forwardMany, docs/speed.md §6) on the micro model: several
// sequences run as one batch (one dispatch per linear over all rows, attention per sequence, a repeated
// RoPE table) give what forward() gives on each, Y and the linears' inputs, also when the sequences split
// into several chunks (a last partial chunk included); one readback per chunk; unequal lengths are named.
import { describe, expect, it } from 'vitest';
import { embedCpu } from '../../src/model/forward';
import { GpuBlockExecutor } from '../../src/prune/gpuExecutor';
import { batchBytesPerSequence, sequencesPerChunk } from '../../src/gpu/blockBatch';
import type { ForwardResult, LinearInputs } from '../../src/prune/executor';
import { calibIds, loadMicro, microConfig } from '../unit/prune/engineFixture';
import { expectClose } from '../support/close';
import { getRuntime } from './setup';

const KEYS: (keyof LinearInputs)[] = ['attnIn', 'oIn', 'mlpIn', 'downIn'];

describe('GPU executor: batched forward of many sequences', () => {
  it('equals forward() per sequence (Y and inputs), in one chunk and in several', async () => {
    const m = await loadMicro();
    const rt = await getRuntime();
    const gpu = new GpuBlockExecutor(rt, m.spec);
    const T = 17;
    const ids = calibIds(m, microConfig({ nsamples: 5, seqlen: T }));
    const Xs = Array.from({ length: 5 }, (_, b) => embedCpu(m.spec, m.weights, ids.subarray(b * T, (b + 1) * T)));
    const blk = m.weights.blocks[1];
    const one: ForwardResult[] = [];
    for (const x of Xs) one.push(await gpu.forward(blk, x, null, { collectInputs: true }));
    const check = (many: Awaited<ReturnType<GpuBlockExecutor['forwardMany']>>) => {
      expect(many.length).toBe(5);
      many.forEach((r, b) => {
        expectClose(r.y, one[b].y, { atol: 1e-5, rtol: 1e-4, what: `y[${b}]` });
        for (const k of KEYS) expectClose(r.inputs![k], one[b].inputs![k], { atol: 1e-5, rtol: 1e-4, what: `${k}[${b}]` });
      });
    };
    const r0 = rt.counters.readbacks;
    check(await gpu.forwardMany(blk, Xs, { collectInputs: true }));
    expect(rt.counters.readbacks - r0).toBe(1); // the micro model's 5 sequences fit one chunk

    // a budget of two sequences: chunks 2 + 2 + 1, `between` awaited before the 2nd and 3rd
    expect(sequencesPerChunk(rt, m.spec, T, 2 * batchBytesPerSequence(m.spec, T))).toBe(2);
    let between = 0;
    const small = new GpuBlockExecutor(rt, m.spec);
    small.batchBudget = 2 * batchBytesPerSequence(m.spec, T);
    const r1 = rt.counters.readbacks;
    check(await small.forwardMany(blk, Xs, { collectInputs: true, between: async () => void between++ }));
    expect(rt.counters.readbacks - r1).toBe(3);
    expect(between).toBe(2);
    await expect(gpu.forwardMany(blk, [Xs[0], Xs[1].subarray(m.spec.dim)])).rejects.toThrow(/pass sequences of one length/);
    gpu.dispose();
    small.dispose();
  });
});
