// The pruning engine on WebGPU: the GPU BlockExecutor against the CPU reference executor on the micro
// model (forward, saved inputs, backward dX and dL/dM), one BESA block trained on both executors
// (same losses, same masks), and a full pipeline run on the GPU.
import { describe, expect, it } from 'vitest';
import { embedCpu } from '../../src/model/forward';
import { LINEAR_NAMES, linearShapes, type LinearName } from '../../src/model/spec';
import { CpuBlockExecutor, type BesaOrder, type LinearInputs } from '../../src/prune/executor';
import { GpuBlockExecutor } from '../../src/prune/gpuExecutor';
import { besaBlock, type BesaStepInfo } from '../../src/prune/methods/besa';
import { runPipeline } from '../../src/prune/pipeline';
import { Rng } from '../../src/core/rng';
import { DEFAULT_BESA } from '../../src/prune/config';
import { calibIds, loadMicro, microConfig } from '../unit/prune/engineFixture';
import { createGpuEngine } from '../../src/prune/gpuEngine';
import { runPruneJob } from '../../src/prune/job';
import { dataText } from '../unit/prune/engineFixture';
import { getRuntime } from './setup';
import { expectClose, reportScalar } from '../support/close';

describe('GPU BlockExecutor (micro model)', () => {
  it('forward (masked, with linear inputs) and backward match the CPU executor', async () => {
    const m = await loadMicro();
    const rt = await getRuntime();
    const gpu = new GpuBlockExecutor(rt, m.spec);
    const cpu = new CpuBlockExecutor(m.spec);
    const cfg = microConfig({ nsamples: 1, seqlen: 23 });
    const X = embedCpu(m.spec, m.weights, calibIds(m, cfg));
    const rng = new Rng(11);
    const shapes = linearShapes(m.spec);
    const masks: Partial<Record<LinearName, Float32Array>> = {};
    for (const n of LINEAR_NAMES) masks[n] = Float32Array.from({ length: shapes[n][0] * shapes[n][1] }, () => (rng.next() < 0.45 ? 0 : 1));
    const blk = m.weights.blocks[1];
    const fc = await cpu.forward(blk, X, masks, { save: true, collectInputs: true });
    const fg = await gpu.forward(blk, X, masks, { save: true, collectInputs: true });
    expectClose(fg.y, fc.y, { atol: 1e-5, rtol: 1e-4, what: 'y' });
    for (const k of ['attnIn', 'oIn', 'mlpIn', 'downIn'] as (keyof LinearInputs)[])
      expectClose(fg.inputs![k], fc.inputs![k], { atol: 1e-5, rtol: 1e-4, what: k });
    const dY = rng.normalArray(fc.y.length, 0.1);
    const bc = await cpu.backward(blk, masks, fc.saved, dY);
    const bg = await gpu.backward(blk, masks, fg.saved, dY, { wantDx: true });
    // gradients are small (dY ~ 0.1): atol relative to the largest reference entry, so the check is not vacuous
    const amax = (a: Float32Array) => a.reduce((mx, v) => Math.max(mx, Math.abs(v)), 0);
    expectClose(bg.dx!, bc.dx!, { atol: 1e-5 * amax(bc.dx!), rtol: 1e-3, what: 'dx' });
    for (const n of LINEAR_NAMES)
      expectClose(bg.maskGrads[n], bc.maskGrads[n], { atol: 1e-5 * amax(bc.maskGrads[n]), rtol: 1e-3, what: `dMask.${n}` });
    // BESA's prefix sums at k_d computed on the device equal the CPU executor's (dL/dM never read back)
    const order = Object.fromEntries(
      LINEAR_NAMES.map((n) => {
        const [rows, cols] = shapes[n];
        const sortIdx = new Int32Array(rows * cols);
        for (let r = 0; r < rows; r++) {
          const perm = Array.from({ length: cols }, (_, j) => j).sort(() => rng.next() - 0.5);
          sortIdx.set(perm, r * cols);
        }
        return [n, { sortIdx, kd: Int32Array.from({ length: 101 }, (_, d) => Math.trunc((cols * (100 - d)) / 100)) }];
      }),
    ) as BesaOrder;
    const fc2 = await cpu.forward(blk, X, masks, { save: true });
    const pc = await cpu.besaPrefix(blk, masks, fc2.saved, dY, order);
    const fg2 = await gpu.forward(blk, X, masks, { save: true });
    const pg = await gpu.besaPrefix(blk, masks, fg2.saved, dY, order);
    for (const n of LINEAR_NAMES) {
      const ref = Float32Array.from(pc[n]);
      expectClose(Float32Array.from(pg[n]), ref, { atol: 1e-5 * amax(ref), rtol: 1e-3, what: `prefix.${n}` });
    }
    // stale saved state is refused (the GPU keeps only the latest forward)
    await gpu.forward(blk, X, null);
    await expect(gpu.backward(blk, masks, fg.saved, dY)).rejects.toThrow(/latest forward/);
    expect(gpu.memory().peakBytes).toBeGreaterThan(0);
    gpu.dispose();
  });

  it('a BESA block trained on the GPU equals the CPU reference (losses, sparsities, final masks)', async () => {
    const m = await loadMicro();
    const rt = await getRuntime();
    const cfg = microConfig({ nsamples: 6, seqlen: 20 });
    const ids = calibIds(m, cfg);
    const cpu = new CpuBlockExecutor(m.spec);
    const blk = m.weights.blocks[0];
    const Xp = Array.from({ length: cfg.nsamples }, (_, b) =>
      embedCpu(m.spec, m.weights, ids.subarray(b * cfg.seqlen, (b + 1) * cfg.seqlen)),
    );
    const Yref = await Promise.all(Xp.map(async (x) => (await cpu.forward(blk, x, null)).y));
    const scaler = Object.fromEntries(
      LINEAR_NAMES.map((n) => [n, Float64Array.from({ length: blk[n].in }, (_, j) => 1 + ((j * 7919) % 13) / 13)]),
    ) as Record<LinearName, Float64Array>;
    const run = async (exec: CpuBlockExecutor | GpuBlockExecutor) => {
      const steps: BesaStepInfo[] = [];
      const r = await besaBlock({
        exec,
        block: blk,
        Xp,
        Yref,
        scalerRow: (n) => scaler[n],
        target: 0.5,
        opts: { ...DEFAULT_BESA, dCoef: 50 },
        onStep: (s) => steps.push(s),
      });
      return { r, steps };
    };
    const g = await run(new GpuBlockExecutor(rt, m.spec));
    const c = await run(cpu);
    expect(g.steps.length).toBe(6);
    g.steps.forEach((s, i) => {
      const ref = c.steps[i];
      reportScalar(`step ${i} recon loss`, s.reconLoss, ref.reconLoss);
      expect(Math.abs(s.reconLoss - ref.reconLoss)).toBeLessThanOrEqual(1e-5 * ref.reconLoss);
      for (const n of LINEAR_NAMES) expect(Math.abs(s.layerSparsity[n] - ref.layerSparsity[n])).toBeLessThan(1e-4);
    });
    expect(c.steps.at(-1)!.d!).toBeGreaterThan(1e-6); // θ really moved (d grew), so the comparison is not trivial
    for (const n of LINEAR_NAMES) expectClose(g.r.theta[n], c.r.theta[n], { atol: 1e-5, rtol: 1e-3, what: `theta.${n}` });
    let differ = 0;
    for (const n of LINEAR_NAMES) for (let j = 0; j < g.r.masks[n].length; j++) if (g.r.masks[n][j] !== c.r.masks[n][j]) differ++;
    expect(differ).toBe(0);
  });

  it('full pipeline on the GPU: completes, reports GPU memory, and lands where the CPU run lands', async () => {
    const m = await loadMicro();
    const rt = await getRuntime();
    const cfg = microConfig({ method: 'besa', nsamples: 4, seqlen: 24 });
    const ids = calibIds(m, cfg);
    let mem = 0;
    const g = await runPipeline({
      model: m,
      config: cfg,
      calibrationIds: ids,
      executor: new GpuBlockExecutor(rt, m.spec),
      onEvent: (e) => e.type === 'memory' && (mem = e.peakBytes),
    });
    const c = await runPipeline({ model: m, config: cfg, calibrationIds: ids, executor: new CpuBlockExecutor(m.spec) });
    expect(g.status).toBe('completed');
    expect(mem).toBeGreaterThan(0);
    g.blocks.forEach((b, i) => {
      expect(Math.abs(b.blockSparsity - c.blocks[i].blockSparsity)).toBeLessThan(2e-3);
      expect(Math.abs(b.lossAfter - c.blocks[i].lossAfter)).toBeLessThan(1e-3 * c.blocks[i].lossAfter + 1e-7);
    });
  });

  it('runPruneJob on the GPU engine (executor + GPU perplexity) reports what the CPU job reports', async () => {
    const m = await loadMicro();
    const rt = await getRuntime();
    const cfg = microConfig({ method: 'wanda', nsamples: 4, seqlen: 32, evalWindows: 3 });
    const common = {
      model: m,
      config: cfg,
      calibration: { id: 'sotu-calib', text: dataText('sotu-calib.txt') },
      evalData: [{ id: 'sotu-eval', text: dataText('sotu-eval.txt', 6000) }],
    };
    const eng = createGpuEngine(rt, m.spec);
    const g = await runPruneJob({ ...common, executor: eng.executor, forwardFactory: eng.forwardFactory });
    eng.dispose();
    const c = await runPruneJob(common);
    expect(g.report.device.executor).toBe('gpu');
    expect(g.report.device.peakGpuBytes).toBeGreaterThan(0);
    expect(g.report.achievedSparsity).toBe(c.report.achievedSparsity);
    for (const stage of ['dense', 'pruned'] as const) {
      const [pg, pc] = [g.report.perplexity[stage][0].ppl, c.report.perplexity[stage][0].ppl];
      reportScalar(`${stage} ppl`, pg, pc);
      expect(Math.abs(pg - pc)).toBeLessThan(1e-6 * pc);
    }
  });
});
