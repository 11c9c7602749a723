// BESA through the pipeline on the micro model (public/models/micro): first-step masks at θ = 0,
// end-to-end sparsity, determinism. Importance is recomputed here from the block's own linear inputs.
import { describe, expect, it } from 'vitest';
import { blockForwardRef } from '../../../src/core/ops/block';
import { embedCpu } from '../../../src/model/forward';
import { linearOf, weightsToF32, LINEAR_NAMES, type BlockWeights, type LinearName } from '../../../src/model/spec';
import type { EngineEvent } from '../../../src/prune/events';
import { CpuBlockExecutor, type ForwardOptions, type MaskSet } from '../../../src/prune/executor';
import { runPipeline } from '../../../src/prune/pipeline';
import { DEFAULT_BESA } from '../../../src/prune/config';
import { calibIds, loadMicro, microConfig } from './engineFixture';

class SpyExecutor extends CpuBlockExecutor {
  masked: MaskSet[] = [];
  override async forward(b: BlockWeights, X: Float32Array, m: MaskSet, o?: ForwardOptions) {
    if (m) this.masked.push(m);
    return super.forward(b, X, m, o);
  }
}

const inputOf = (n: LinearName) =>
  (n === 'q' || n === 'k' || n === 'v' ? 'n1' : n === 'o' ? 'att' : n === 'down' ? 'h' : 'n2') as 'n1' | 'att' | 'h' | 'n2';

describe('BESA engine on the micro model', () => {
  it('θ = 0: every row has expected sparsity 0.5 and the first hard mask prunes the lowest Wanda scores of each row', async () => {
    const m = await loadMicro();
    const cfg = microConfig({ method: 'besa', nsamples: 3, seqlen: 20 });
    const ids = calibIds(m, cfg);
    const exec = new SpyExecutor(m.spec);
    const events: EngineEvent[] = [];
    await runPipeline({ model: m, config: cfg, calibrationIds: ids, executor: exec, onEvent: (e) => events.push(e) });
    const step0 = events.find((e) => e.type === 'step' && e.block === 0 && e.step === 0);
    if (step0?.type !== 'step') throw new Error('no step event');
    for (const n of LINEAR_NAMES) expect(Math.abs(step0.layerSparsity[n] - 0.5)).toBeLessThan(1e-6);
    expect(step0.penalty).toBeLessThan(1e-10);

    // Independent importance: scaler_j = (1/N) Σ_seq Σ_t x_j² of each linear's dense input on X_0 = embeddings.
    const blk = m.weights.blocks[0];
    const saved = Array.from(
      { length: cfg.nsamples },
      (_, b) =>
        blockForwardRef(m.spec, blk, null, embedCpu(m.spec, m.weights, ids.subarray(b * cfg.seqlen, (b + 1) * cfg.seqlen)), cfg.seqlen)
          .saved,
    );
    const first = exec.masked[0]!;
    for (const n of LINEAR_NAMES) {
      const { w, out: R, in: C } = linearOf(blk, n);
      const sc = new Float64Array(C);
      for (const s of saved) {
        const x = s[inputOf(n)];
        for (let t = 0; t < cfg.seqlen; t++) for (let j = 0; j < C; j++) sc[j] += x[t * C + j] ** 2 / cfg.nsamples;
      }
      const mask = first[n]!;
      let k = -1;
      for (let r = 0; r < R; r++) {
        const zeros: number[] = [];
        for (let j = 0; j < C; j++) if (mask[r * C + j] === 0) zeros.push(j);
        if (k < 0) k = zeros.length;
        expect(zeros.length).toBe(k); // same count in every row (all rows have s = 0.5)
        const order = Array.from({ length: C }, (_, j) => j).sort(
          (a, b) => Math.abs(w[r * C + a]) * Math.sqrt(sc[a]) - Math.abs(w[r * C + b]) * Math.sqrt(sc[b]),
        );
        expect(new Set(zeros)).toEqual(new Set(order.slice(0, k)));
      }
      // floor(0.5·C), or one less when the f32 Σ p·cand rounds to 0.49999997 (docs/besa.md §7.2)
      expect([Math.floor(C / 2), Math.floor(C / 2) - 1]).toContain(k);
    }
  });

  const countBlock = (b: BlockWeights) => {
    const layer = {} as Record<LinearName, { zeros: number; numel: number }>;
    let zeros = 0;
    let numel = 0;
    for (const n of LINEAR_NAMES) {
      const w = linearOf(b, n).w;
      let z = 0;
      for (let j = 0; j < w.length; j++) if (w[j] === 0) z++;
      layer[n] = { zeros: z, numel: w.length };
      zeros += z;
      numel += w.length;
    }
    return { layer, zeros, numel };
  };
  const e2eConfig = (finalMask: 'reference' | 'match-target') =>
    microConfig({ method: 'besa', nsamples: 32, seqlen: 64, sparsity: 0.5, besa: { ...DEFAULT_BESA, finalMask } });

  it("end-to-end, final mask 'reference': expected block sparsity within 1 pp of the target; measured zeros lose < 1/C per layer to the floor", async () => {
    const m = await loadMicro();
    const cfg = e2eConfig('reference');
    const before = m.weights.blocks.map((b) => LINEAR_NAMES.map((n) => linearOf(b, n).w.slice()));
    const r = await runPipeline({ model: m, config: cfg, calibrationIds: calibIds(m, cfg), executor: new CpuBlockExecutor(m.spec) });
    expect(r.status).toBe('completed');
    let zeros = 0;
    let numel = 0;
    weightsToF32(r.weights).blocks.forEach((b, i) => {
      const c = countBlock(b);
      let expBlock = 0;
      for (const n of LINEAR_NAMES) {
        const measured = c.layer[n].zeros / c.layer[n].numel;
        const expected = r.blocks[i].expectedSparsity![n];
        expect(measured).toBeCloseTo(r.blocks[i].layerSparsity[n], 12); // the summary counts the same zeros
        expect(expected - measured).toBeGreaterThanOrEqual(-1e-9); // floor(s_r·C) never prunes more than s_r·C
        expect(expected - measured).toBeLessThan(1 / linearOf(b, n).in); // …and at most one weight less per row
        expBlock += expected * c.layer[n].numel;
      }
      expect(Math.abs(expBlock / c.numel - cfg.sparsity)).toBeLessThan(0.01);
      expect(r.blocks[i].referenceMaskSparsity).toBeCloseTo(c.zeros / c.numel, 12);
      expect(r.blocks[i].matchShift).toBe(0);
      zeros += c.zeros;
      numel += c.numel;
    });
    // Measured over the model: the target minus the floor loss (≤ 1/32 here), see the report.
    expect(zeros / numel).toBeGreaterThan(cfg.sparsity - 0.01 - 1 / 32);
    expect(zeros / numel).toBeLessThan(cfg.sparsity + 0.01);
    // copy-on-write: the loaded dense weights are untouched
    m.weights.blocks.forEach((b, i) => LINEAR_NAMES.forEach((n, j) => expect(linearOf(b, n).w).toEqual(before[i][j])));
  });

  it("end-to-end, final mask 'match-target' (default): every block prunes exactly round(α̂·numel); the learned allocation is kept", async () => {
    const m = await loadMicro();
    const cfg = e2eConfig('match-target');
    expect(DEFAULT_BESA.finalMask).toBe('match-target');
    const ref = await runPipeline({
      model: m,
      config: e2eConfig('reference'),
      calibrationIds: calibIds(m, cfg),
      executor: new CpuBlockExecutor(m.spec),
    });
    const r = await runPipeline({ model: m, config: cfg, calibrationIds: calibIds(m, cfg), executor: new CpuBlockExecutor(m.spec) });
    expect(r.status).toBe('completed');
    let zeros = 0;
    let numel = 0;
    weightsToF32(r.weights).blocks.forEach((b, i) => {
      const c = countBlock(b);
      expect(c.zeros).toBe(Math.round(cfg.sparsity * c.numel)); // measured, zeros counted
      const delta = r.blocks[i].matchShift!;
      for (const n of LINEAR_NAMES) {
        // each row moved by the common shift Δ (±1 weight), so each layer keeps its learned sparsity + Δ
        const measured = c.layer[n].zeros / c.layer[n].numel;
        expect(Math.abs(measured - (r.blocks[i].expectedSparsity![n] + delta))).toBeLessThan(1 / linearOf(b, n).in);
      }
      zeros += c.zeros;
      numel += c.numel;
    });
    expect(Math.abs(zeros / numel - cfg.sparsity)).toBeLessThan(1e-4);
    // Block 0 sees the same inputs in both runs: training is identical, only the final rounding differs.
    expect(r.blocks[0].expectedSparsity).toEqual(ref.blocks[0].expectedSparsity);
    expect(r.blocks[0].referenceMaskSparsity).toBe(ref.blocks[0].blockSparsity);
    expect(r.blocks[0].lossBefore).toBe(ref.blocks[0].lossBefore);
  });

  it('same seed → identical masks and losses; another seed → different calibration and masks', async () => {
    const m = await loadMicro();
    const run = async (seed: number) => {
      const cfg = microConfig({ method: 'besa', nsamples: 8, seqlen: 24, seed });
      const losses: number[] = [];
      const r = await runPipeline({
        model: m,
        config: cfg,
        calibrationIds: calibIds(m, cfg),
        executor: new CpuBlockExecutor(m.spec),
        onEvent: (e) => e.type === 'step' && losses.push(e.reconLoss),
      });
      return { r, losses };
    };
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(a.losses).toEqual(b.losses);
    let differs = false;
    weightsToF32(a.r.weights).blocks.forEach((blk, i) =>
      LINEAR_NAMES.forEach((n) => {
        expect(linearOf(weightsToF32(b.r.weights).blocks[i], n).w).toEqual(linearOf(blk, n).w);
        if (linearOf(weightsToF32(c.r.weights).blocks[i], n).w.some((v, j) => (v === 0) !== (linearOf(blk, n).w[j] === 0))) differs = true;
      }),
    );
    expect(differs).toBe(true);
  });

  it('options: sigmoid bounds s ≤ 0.6237 (spec §1.4), --no-sigmoid goes past it, layer-wise shares n per linear, Adam trains', async () => {
    const m = await loadMicro();
    const run = async (over: Parameters<typeof microConfig>[0]) => {
      const cfg = microConfig({ method: 'besa', nsamples: 16, seqlen: 32, ...over });
      return runPipeline({ model: m, config: cfg, calibrationIds: calibIds(m, cfg), executor: new CpuBlockExecutor(m.spec) });
    };
    // the bound is on what θ can learn; the reference floor mask shows it in the zeros counted
    const sig = await run({ sparsity: 0.7, besa: { finalMask: 'reference' } as never });
    for (const b of sig.blocks) for (const n of LINEAR_NAMES) expect(b.expectedSparsity![n]).toBeLessThanOrEqual(0.6237);
    const noSig = await run({ sparsity: 0.7, besa: { sigmoid: false, finalMask: 'reference' } as never });
    const meas = (r: typeof sig) => r.blocks.reduce((a, b) => a + b.blockSparsity, 0) / r.blocks.length;
    const learned = (r: typeof sig) => r.blocks[0].expectedSparsity!.q; // block 0: same inputs in both runs
    expect(meas(noSig)).toBeGreaterThan(0.65);
    expect(meas(sig)).toBeLessThan(0.6237);
    // 'match-target' (default) reaches 0.7 anyway by shifting the bounded allocation, and says so
    const events: EngineEvent[] = [];
    const cfgM = microConfig({ method: 'besa', nsamples: 16, seqlen: 32, sparsity: 0.7 });
    const shifted = await runPipeline({
      model: m,
      config: cfgM,
      calibrationIds: calibIds(m, cfgM),
      executor: new CpuBlockExecutor(m.spec),
      onEvent: (e) => events.push(e),
    });
    expect(Math.abs(meas(shifted) - 0.7)).toBeLessThan(1e-4);
    expect(learned(shifted)).toBeCloseTo(learned(sig), 12);
    expect(shifted.blocks[0].matchShift!).toBeGreaterThan(0.05);
    expect(events.some((e) => e.type === 'log' && e.level === 'warn' && /sigmoid/.test(e.message))).toBe(true);
    const layer = await run({ besa: { granularity: 'layer' } as never });
    for (const b of weightsToF32(layer.weights).blocks)
      for (const n of LINEAR_NAMES) {
        const { w, out: R, in: C } = linearOf(b, n);
        const counts = new Set(Array.from({ length: R }, (_, r) => w.subarray(r * C, (r + 1) * C).filter((v) => v === 0).length));
        expect(counts.size).toBe(1); // one n for the whole linear (match-target rounds per linear too)
      }
    for (const b of layer.blocks) expect(Math.abs(b.blockSparsity - 0.5)).toBeLessThan(0.01);
    expect(layer.blocks.some((b) => LINEAR_NAMES.some((n) => Math.abs(b.expectedSparsity![n] - 0.5) > 0.05))).toBe(true);
    const adam = await run({ besa: { optimizer: 'adam' } as never });
    expect(adam.blocks.some((b) => LINEAR_NAMES.some((n) => Math.abs(b.expectedSparsity![n] - 0.5) > 1e-3))).toBe(true);
  });
});
