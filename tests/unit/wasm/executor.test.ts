// The WASM engine (src/prune/wasmExecutor.ts): its block ops against the reference ops on random GQA
// shapes, the executor against the CPU reference on the micro model (forward, backward, BESA prefix
// sums; one BESA block: same losses, same final masks), a pipeline and a whole job with WASM perplexity.
import { describe, expect, it } from 'vitest';
import { hardMask } from '../../../src/core/besa/masks';
import { archBlockBackward, archBlockForward } from '../../../src/core/ops/archBlock';
import { REFERENCE_OPS } from '../../../src/core/ops/block';
import { embedCpu } from '../../../src/model/forward';
import { linearNames, linearOf, type LinearName } from '../../../src/model/spec';
import type { BesaCounts, BesaOrder } from '../../../src/prune/executor';
import { Rng } from '../../../src/core/rng';
import { forwardCpu } from '../../../src/model/forward';
import { CpuBlockExecutor } from '../../../src/prune/executor';
import { runPruneJob } from '../../../src/prune/job';
import { runPipeline } from '../../../src/prune/pipeline';
import { WasmBlockExecutor, wasmForwardLogits } from '../../../src/prune/wasmExecutor';
import { WasmKernels } from '../../../src/wasm/kernels';
import { wasmBlockOps } from '../../../src/wasm/ops';
import { expectClose, reportScalar } from '../../support/close';
import { expectBesaBlockMatchesCpu, expectExecutorMatchesCpu } from '../../support/executorParity';
import { randomWeights, tinyModelSpec } from '../../support/specs';
import { calibIds, dataText, loadMicro, microConfig } from '../prune/engineFixture';

const tol = (ref: ArrayLike<number>) => ({ atol: 1e-5 * Math.max(1, ...Array.from(ref, Math.abs)), rtol: 1e-4 });

describe('WASM block ops vs the reference ops', () => {
  it('masked linear with bias: forward, dx and dMask', async () => {
    const ops = wasmBlockOps(await WasmKernels.create());
    const rng = new Rng(3);
    const [T, In, Out] = [21, 37, 18];
    const x = rng.normalArray(T * In, 1);
    const w = rng.normalArray(Out * In, 0.3);
    const b = rng.normalArray(Out, 0.1);
    const mask = Float32Array.from({ length: Out * In }, () => (rng.next() < 0.5 ? 0 : 1));
    const dy = rng.normalArray(T * Out, 1);
    const y = REFERENCE_OPS.linearForward(x, w, T, In, Out, b, mask);
    expectClose(ops.linearForward(x, w, T, In, Out, b, mask), y, { ...tol(y), what: 'y' });
    const r = REFERENCE_OPS.linearBackward(x, w, dy, T, In, Out, mask);
    const g = ops.linearBackward(x, w, dy, T, In, Out, mask);
    expectClose(g.dx, r.dx, { ...tol(r.dx), what: 'dx' });
    expectClose(g.dMask, r.dMask, { ...tol(r.dMask), what: 'dMask' });
  });

  it.each([
    [13, 6, 2, 10],
    [9, 3, 3, 7],
    [17, 4, 1, 32],
  ])('causal attention T=%i H=%i KVH=%i D=%i: out, probs, dq, dk, dv', async (T, H, KVH, D) => {
    const ops = wasmBlockOps(await WasmKernels.create());
    const rng = new Rng(T * H + D);
    const q = rng.normalArray(T * H * D, 1);
    const k = rng.normalArray(T * KVH * D, 1);
    const v = rng.normalArray(T * KVH * D, 1);
    const dout = rng.normalArray(T * H * D, 1);
    const r = REFERENCE_OPS.attentionForward(q, k, v, T, H, KVH, D);
    const g = ops.attentionForward(q, k, v, T, H, KVH, D);
    expectClose(g.out, r.out, { ...tol(r.out), what: 'out' });
    expectClose(g.probs, r.probs, { atol: 1e-6, rtol: 1e-4, what: 'probs (zeros above the diagonal)' });
    const rb = REFERENCE_OPS.attentionBackward(q, k, v, r.probs, dout, T, H, KVH, D);
    const gb = ops.attentionBackward(q, k, v, g.probs, dout, T, H, KVH, D);
    for (const n of ['dq', 'dk', 'dv'] as const) expectClose(gb[n], rb[n], { ...tol(rb[n]), what: n });
  });

  it('whole-model logits on a random GQA model with q/k/v biases and tied embeddings', async () => {
    const spec = tinyModelSpec({ qkvBias: true, tiedEmbeddings: true });
    const weights = randomWeights(spec, 5);
    const ids = Int32Array.from({ length: 29 }, (_, i) => (i * 37) % spec.vocabSize);
    const ref = forwardCpu(spec, weights, ids);
    const got = await wasmForwardLogits(await WasmKernels.create(), spec, weights)(ids);
    expectClose(got, ref, { ...tol(ref), what: 'logits' });
  });
});

describe('WASM BlockExecutor (micro model)', () => {
  it('forward (masked, with linear inputs), backward and BESA prefix sums match the CPU executor', async () => {
    const { exec } = await expectExecutorMatchesCpu((m) => WasmBlockExecutor.create(m.spec));
    expect(exec.kind).toBe('wasm');
  });

  it.each([
    ['W ⊙ M kept per step', undefined],
    ['W ⊙ M built per op (large blocks)', 0],
  ])('state kept in module memory (step masks: %s; attention probabilities) equals host arrays bit for bit, in any call order', async (_, keep) => {
    const m = await loadMicro();
    const k = await WasmKernels.create();
    const exec = new WasmBlockExecutor(m.spec, k, keep);
    const ops = wasmBlockOps(k); // the host path: every array copied in and out
    const blk = m.weights.blocks[1];
    const T = 19;
    const rng = new Rng(21);
    const X = [0, 1, 2].map((s) => embedCpu(m.spec, m.weights, Int32Array.from({ length: T }, (_, i) => (i * 31 + s * 7) % m.spec.vocabSize)));
    const order = {} as BesaOrder;
    const counts = [{}, {}] as BesaCounts[];
    for (const n of linearNames(m.spec)) {
      const { out: rows, in: cols } = linearOf(blk, n);
      const sortIdx = new Int32Array(rows * cols);
      for (let r = 0; r < rows; r++) sortIdx.set(Array.from({ length: cols }, (_, j) => j).sort(() => rng.next() - 0.5), r * cols);
      order[n] = { sortIdx, kd: Int32Array.of(cols, 0) };
      for (const c of counts) c[n] = Int32Array.from({ length: rows }, () => rng.int(cols + 1));
    }
    const hostMasks = counts.map((c) => {
      const set: Partial<Record<LinearName, Float32Array>> = {};
      for (const n of linearNames(m.spec)) set[n] = hardMask(c[n], order[n].sortIdx, linearOf(blk, n).out, linearOf(blk, n).in);
      return set;
    });
    const dY = rng.normalArray(T * m.spec.dim, 1);
    const host = (x: Float32Array, i: number) => {
      const f = archBlockForward(m.spec, blk, hostMasks[i], x, T, ops);
      return { y: f.y, b: archBlockBackward(m.spec, blk, hostMasks[i], f.saved, dY, ops) };
    };
    const sets = counts.map((c) => exec.besaHardMasks(blk, order, c));
    // two saved forwards on the first set, one on the second, then the backwards out of order
    const f0 = await exec.forward(blk, X[0], sets[0], { save: true });
    const f1 = await exec.forward(blk, X[1], sets[0], { save: true });
    const f2 = await exec.forward(blk, X[2], sets[1], { save: true });
    const b0 = await exec.backward(blk, sets[0], f0.saved, dY);
    const b2 = await exec.backward(blk, sets[1], f2.saved, dY);
    exec.release(f2.saved);
    const b1 = await exec.backward(blk, sets[0], f1.saved, dY);
    for (const [f, b, x, i] of [[f0, b0, X[0], 0], [f1, b1, X[1], 0], [f2, b2, X[2], 1]] as const) {
      const r = host(x, i);
      expect(f.y).toEqual(r.y);
      for (const n of linearNames(m.spec)) expect(b.maskGrads[n]).toEqual(r.b.dMask[n]);
    }
    await expect(exec.backward(blk, sets[1], f2.saved, dY)).rejects.toThrow(/released/);
  });

  it('a BESA block trained on WASM equals the CPU reference (losses, sparsities, θ, final masks); per-op W ⊙ M gives the same θ bit for bit', async () => {
    const kept = await expectBesaBlockMatchesCpu((m) => WasmBlockExecutor.create(m.spec));
    // keepMaskedFloats 0: the large-block path (W ⊙ M and the sort orders copied into each op's scratch)
    const perOp = await expectBesaBlockMatchesCpu(async (m) => new WasmBlockExecutor(m.spec, await WasmKernels.create(), 0));
    for (const n of Object.keys(kept.theta) as LinearName[]) expect(Buffer.from(perOp.theta[n].buffer).equals(Buffer.from(kept.theta[n].buffer)), n).toBe(true);
  });

  it('GPT-2 (tiny fixture): forward, backward, prefix sums and a BESA block match the CPU executor', async () => {
    await expectExecutorMatchesCpu((m) => WasmBlockExecutor.create(m.spec), 'gpt2-tiny');
    await expectBesaBlockMatchesCpu((m) => WasmBlockExecutor.create(m.spec), 'gpt2-tiny');
  });

  it('full pipeline on WASM lands where the CPU run lands', async () => {
    const m = await loadMicro();
    const cfg = microConfig({ method: 'besa', nsamples: 4, seqlen: 24 });
    const ids = calibIds(m, cfg);
    const w = await runPipeline({ model: m, config: cfg, calibrationIds: ids, executor: await WasmBlockExecutor.create(m.spec) });
    const c = await runPipeline({ model: m, config: cfg, calibrationIds: ids, executor: new CpuBlockExecutor(m.spec) });
    expect(w.status).toBe('completed');
    w.blocks.forEach((b, i) => {
      expect(Math.abs(b.blockSparsity - c.blocks[i].blockSparsity)).toBeLessThan(2e-3);
      expect(Math.abs(b.lossAfter - c.blocks[i].lossAfter)).toBeLessThan(1e-3 * c.blocks[i].lossAfter + 1e-7);
    });
  });

  it('runPruneJob on the WASM engine (executor + WASM perplexity) reports what the CPU job reports', async () => {
    const m = await loadMicro();
    const cfg = microConfig({ method: 'wanda', nsamples: 4, seqlen: 32, evalWindows: 3 });
    const common = {
      model: m,
      config: cfg,
      calibration: { id: 'sotu-calib', text: dataText('sotu-calib.txt') },
      evalData: [{ id: 'sotu-eval', text: dataText('sotu-eval.txt', 6000) }],
    };
    const exec = await WasmBlockExecutor.create(m.spec);
    const w = await runPruneJob({ ...common, executor: exec, forwardFactory: (s, wt) => wasmForwardLogits(exec.kernels, s, wt) });
    const c = await runPruneJob(common);
    expect(w.report.device.executor).toBe('wasm');
    expect(w.report.achievedSparsity).toBe(c.report.achievedSparsity);
    for (const stage of ['dense', 'pruned'] as const) {
      const [pw, pc] = [w.report.perplexity[stage][0].ppl, c.report.perplexity[stage][0].ppl];
      reportScalar(`${stage} ppl`, pw, pc);
      expect(Math.abs(pw - pc)).toBeLessThan(1e-5 * pc);
    }
  });
});
