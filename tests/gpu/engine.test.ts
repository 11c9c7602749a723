// The pruning engine on WebGPU: the GPU BlockExecutor against the CPU reference executor on the micro
// model (forward, saved inputs, backward dX and dL/dM), one BESA block trained on both executors
// (same losses, same masks), and a full pipeline run on the GPU.
import { describe, expect, it } from 'vitest';
import { CpuBlockExecutor } from '../../src/prune/executor';
import { GpuBlockExecutor } from '../../src/prune/gpuExecutor';
import { runPipeline } from '../../src/prune/pipeline';
import { calibIds, dataText, loadMicro, microConfig } from '../unit/prune/engineFixture';
import { createGpuEngine } from '../../src/prune/gpuEngine';
import { runPruneJob } from '../../src/prune/job';
import { getRuntime } from './setup';
import { setUpEngine } from '../../src/prune/engineSetup';
import { isSoftwareAdapter } from '../../src/gpu/capabilities';
import { reportScalar } from '../support/close';
import { expectBesaBlockMatchesCpu, expectExecutorMatchesCpu } from '../support/executorParity';

describe('GPU BlockExecutor (micro model)', () => {
  it('forward (masked, with linear inputs) and backward match the CPU executor', async () => {
    const rt = await getRuntime();
    const { exec, blk, X, masks, dY, saved } = await expectExecutorMatchesCpu((m) => new GpuBlockExecutor(rt, m.spec));
    const gpu = exec as GpuBlockExecutor;
    // stale saved state is refused (the GPU keeps only the latest forward)
    await gpu.forward(blk, X, null);
    await expect(gpu.backward(blk, masks, saved, dY)).rejects.toThrow(/latest forward/);
    expect(gpu.memory().peakBytes).toBeGreaterThan(0);
    gpu.dispose();
  });

  it('a BESA block trained on the GPU equals the CPU reference (losses, sparsities, final masks)', async () => {
    const rt = await getRuntime();
    await expectBesaBlockMatchesCpu((m) => new GpuBlockExecutor(rt, m.spec));
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

describe('setUpEngine on this adapter', () => {
  it('auto on a software adapter probes both engines, takes the faster, and says so with both times', async () => {
    const rt = await getRuntime();
    const e = await setUpEngine(await loadMicro(), 'auto', { runtime: rt });
    try {
      const ms = e.decision.probeMs!;
      expect(isSoftwareAdapter(rt.caps)).toBe(true); // CI and these machines only have software adapters
      expect(ms.wasm).toBeGreaterThan(0);
      expect(ms.webgpu).toBeGreaterThan(0);
      expect(e.decision.engine).toBe(ms.wasm! <= ms.webgpu! ? 'wasm' : 'webgpu');
      expect(e.decision.reason).toMatch(/^auto: software adapter .*ms on wasm, .*ms on webgpu(; SIMD f32 products, one thread)?$/);
    } finally {
      e.dispose();
    }
    const forced = await setUpEngine(await loadMicro(), 'webgpu', { runtime: rt });
    expect(forced.executor).toBeInstanceOf(GpuBlockExecutor);
    forced.dispose();
  });
});
