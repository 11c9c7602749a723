// The device-resident BESA step (GpuBlockExecutor.besaStep, docs/speed.md §2) on the micro model: it equals
// the step built from the executor's basic operations (besaStepOf: forward, host L_rec and dL/dY,
// besaPrefix) and the CPU reference; after the first step of a block it costs exactly one submit and one
// readback and uploads only X, Y_ref and the counts; bad inputs are named.
import { describe, expect, it } from 'vitest';
import { candidates, pruneCountsPerCandidate } from '../../src/core/besa/candidates';
import { argsortRows, importance } from '../../src/core/besa/importance';
import { Rng } from '../../src/core/rng';
import { embedCpu } from '../../src/model/forward';
import { linearOf, LINEAR_NAMES, type BlockWeights } from '../../src/model/spec';
import { besaStepOf, CpuBlockExecutor, type BesaCounts, type BesaOrder } from '../../src/prune/executor';
import { GpuBlockExecutor } from '../../src/prune/gpuExecutor';
import { calibIds, loadMicro, microConfig } from '../unit/prune/engineFixture';
import { expectClose, reportScalar } from '../support/close';
import { getRuntime } from './setup';

function wandaOrder(blk: BlockWeights, rng: Rng): BesaOrder {
  const order = {} as BesaOrder;
  for (const n of LINEAR_NAMES) {
    const { out: rows, in: cols, w } = linearOf(blk, n);
    const scaler = Float32Array.from({ length: cols }, () => 0.5 + rng.next());
    order[n] = {
      sortIdx: argsortRows(importance(w as Float32Array, rows, cols, 'wanda', scaler), rows, cols),
      kd: pruneCountsPerCandidate(cols, candidates(0.01)),
    };
  }
  return order;
}

function counts(blk: BlockWeights, rng: Rng): BesaCounts {
  const c = {} as BesaCounts;
  for (const n of LINEAR_NAMES) c[n] = Int32Array.from({ length: linearOf(blk, n).out }, () => rng.int(linearOf(blk, n).in + 1));
  return c;
}

const amax = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('GPU executor: the BESA step on the device', () => {
  it('equals besaStepOf on the same executor and on the CPU; one submit and one readback per step', async () => {
    const m = await loadMicro();
    const rt = await getRuntime();
    const gpu = new GpuBlockExecutor(rt, m.spec);
    const cpu = new CpuBlockExecutor(m.spec);
    const blk = m.weights.blocks[1];
    const ids = calibIds(m, microConfig({ nsamples: 2, seqlen: 21 }));
    const X = [0, 1].map((b) => embedCpu(m.spec, m.weights, ids.subarray(b * 21, (b + 1) * 21)));
    const dense = await cpu.forward(blk, X[1], null);
    const Yref = Float32Array.from(dense.y, (v, i) => v * (1 + 0.05 * Math.sin(i))); // a target the block misses
    const rng = new Rng(2024);
    const order = wandaOrder(blk, rng);
    await gpu.besaStep(blk, order, counts(blk, rng), X[0], Yref); // first step: uploads sortIdx / k_d, builds workspaces
    const c = counts(blk, rng);

    const before = { ...rt.counters };
    let bytes = 0;
    const write = rt.write;
    rt.write = (b, d, o) => ((bytes += d.byteLength), write.call(rt, b, d, o));
    let dev: Awaited<ReturnType<GpuBlockExecutor['besaStep']>>;
    try {
      dev = await gpu.besaStep(blk, order, c, X[1], Yref);
    } finally {
      rt.write = write;
    }
    expect(rt.counters.submits - before.submits).toBe(1);
    expect(rt.counters.readbacks - before.readbacks).toBe(1);
    expect(bytes).toBe(X[1].byteLength + Yref.byteLength + LINEAR_NAMES.reduce((a, n) => a + c[n].byteLength, 0));

    const viaOps = await besaStepOf(gpu, blk, order, c, X[1], Yref);
    const ref = await besaStepOf(cpu, blk, order, c, X[1], Yref);
    reportScalar('device step L_rec', dev.reconLoss, ref.reconLoss);
    expect(ref.reconLoss).toBeGreaterThan(1e-4);
    expect(Math.abs(dev.reconLoss - ref.reconLoss)).toBeLessThanOrEqual(1e-5 * ref.reconLoss);
    expect(Math.abs(dev.reconLoss - viaOps.reconLoss)).toBeLessThanOrEqual(1e-5 * ref.reconLoss);
    for (const n of LINEAR_NAMES) {
      const r = Float32Array.from(ref.pre[n]);
      expectClose(Float32Array.from(dev.pre[n]), r, { atol: 1e-5 * amax(r), rtol: 1e-3, what: `pre.${n} vs CPU` });
      expectClose(Float32Array.from(dev.pre[n]), Float32Array.from(viaOps.pre[n]), { atol: 1e-6 * amax(r), rtol: 1e-4, what: `pre.${n}` });
    }
    gpu.dispose();
  });

  it('names a target of the wrong size and a k_d that does not descend', async () => {
    const m = await loadMicro();
    const rt = await getRuntime();
    const gpu = new GpuBlockExecutor(rt, m.spec);
    const blk = m.weights.blocks[0];
    const X = embedCpu(m.spec, m.weights, calibIds(m, microConfig({ nsamples: 1, seqlen: 9 })));
    const rng = new Rng(5);
    const order = wandaOrder(blk, rng);
    await expect(gpu.besaStep(blk, order, counts(blk, rng), X, X.subarray(1))).rejects.toThrow(/Yref has .* values, X has/);
    const rising = { ...order, up: { ...order.up, kd: Int32Array.from(order.up.kd).reverse() } };
    await expect(gpu.besaStep(blk, rising, counts(blk, rng), X, X)).rejects.toThrow(/order\.up\.kd must descend/);
    gpu.dispose();
  });
});
