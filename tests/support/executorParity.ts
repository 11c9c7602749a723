// Shared checks that an accelerated BlockExecutor (WebGPU, WASM) computes what the CPU reference
// executor computes on the micro model (LLaMA) or the tiny GPT-2 fixture: forward (masked, with linear
// inputs), backward dX and dL/dM, BESA's prefix sums at k_d, and one BESA block trained on both (same
// losses, same final masks).
import { expect } from 'vitest';
import { Rng } from '../../src/core/rng';
import { embedCpu } from '../../src/model/forward';
import { join } from 'node:path';
import { loadModel } from '../../src/model/loader';
import { nodeDirSource } from '../../src/model/sourceNode';
import { linearNames, linearOf, linearShapes, weightsToF32, type LinearName } from '../../src/model/spec';
import { DEFAULT_BESA } from '../../src/prune/config';
import { CpuBlockExecutor, type BesaOrder, type BlockExecutor, type LinearInputs } from '../../src/prune/executor';
import { besaBlock, type BesaStepInfo } from '../../src/prune/methods/besa';
import { calibIds, loadMicro, microConfig, ROOT, type F32Model } from '../unit/prune/engineFixture';

export type ParityModel = 'micro' | 'gpt2-tiny';
let gpt2: Promise<F32Model> | null = null;

/** The fixture model and `nsamples × seqlen` calibration ids (GPT-2's fixture has no tokenizer: seeded random ids). */
async function fixture(which: ParityModel, nsamples: number, seqlen: number): Promise<{ m: F32Model; ids: Int32Array }> {
  if (which === 'micro') {
    const m = await loadMicro();
    return { m, ids: calibIds(m, microConfig({ nsamples, seqlen })) };
  }
  gpt2 ??= loadModel(nodeDirSource(join(ROOT, 'tests/fixtures/gpt2-tiny')), { tokenizerOptional: true }).then((m) => ({
    ...m,
    weights: weightsToF32(m.weights),
  }));
  const m = await gpt2;
  const rng = new Rng(5);
  return { m, ids: Int32Array.from({ length: nsamples * seqlen }, () => rng.int(m.spec.vocabSize)) };
}
import { expectClose, reportScalar } from './close';

function amax(a: ArrayLike<number>): number {
  let mx = 0;
  for (let i = 0; i < a.length; i++) mx = Math.max(mx, Math.abs(a[i]));
  return mx;
}

/** Forward, backward and besaPrefix of `exec` against the CPU executor on block 1 (T = 23, random masks). */
export async function expectExecutorMatchesCpu(
  make: (m: F32Model) => BlockExecutor | Promise<BlockExecutor>,
  which: ParityModel = 'micro',
) {
  const { m, ids } = await fixture(which, 1, 23);
  const exec = await make(m);
  const cpu = new CpuBlockExecutor(m.spec);
  const LINEAR_NAMES = linearNames(m.spec);
  const X = embedCpu(m.spec, m.weights, ids);
  const rng = new Rng(11);
  const shapes = linearShapes(m.spec);
  const masks: Partial<Record<LinearName, Float32Array>> = {};
  for (const n of LINEAR_NAMES) masks[n] = Float32Array.from({ length: shapes[n][0] * shapes[n][1] }, () => (rng.next() < 0.45 ? 0 : 1));
  const blk = m.weights.blocks[1];
  const fc = await cpu.forward(blk, X, masks, { save: true, collectInputs: true });
  const fe = await exec.forward(blk, X, masks, { save: true, collectInputs: true });
  expectClose(fe.y, fc.y, { atol: 1e-5, rtol: 1e-4, what: 'y' });
  for (const k of ['attnIn', 'oIn', 'mlpIn', 'downIn'] as (keyof LinearInputs)[])
    expectClose(fe.inputs![k], fc.inputs![k], { atol: 1e-5, rtol: 1e-4, what: k });
  const dY = rng.normalArray(fc.y.length, 0.1);
  const bc = await cpu.backward(blk, masks, fc.saved, dY);
  const be = await exec.backward(blk, masks, fe.saved, dY, { wantDx: true });
  // gradients are small (dY ~ 0.1): atol relative to the largest reference entry, so the check is not vacuous
  expectClose(be.dx!, bc.dx!, { atol: 1e-5 * amax(bc.dx!), rtol: 1e-3, what: 'dx' });
  for (const n of LINEAR_NAMES)
    expectClose(be.maskGrads[n], bc.maskGrads[n], { atol: 1e-5 * amax(bc.maskGrads[n]), rtol: 1e-3, what: `dMask.${n}` });
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
  const fe2 = await exec.forward(blk, X, masks, { save: true });
  const pe = await exec.besaPrefix(blk, masks, fe2.saved, dY, order);
  for (const n of LINEAR_NAMES) {
    const ref = Float32Array.from(pc[n]);
    expectClose(Float32Array.from(pe[n]), ref, { atol: 1e-5 * amax(ref), rtol: 1e-3, what: `prefix.${n}` });
  }
  return { m, exec, X, masks, dY, blk, saved: fe.saved };
}

/** One BESA block (block 0, 6 × 20 calibration) trained on `exec` and on the CPU: same losses, θ and final masks. */
export async function expectBesaBlockMatchesCpu(
  make: (m: F32Model) => BlockExecutor | Promise<BlockExecutor>,
  which: ParityModel = 'micro',
) {
  const cfg = microConfig({ nsamples: 6, seqlen: 20 });
  const { m, ids } = await fixture(which, cfg.nsamples, cfg.seqlen);
  const cpu = new CpuBlockExecutor(m.spec);
  const LINEAR_NAMES = linearNames(m.spec);
  const blk = m.weights.blocks[0];
  const Xp = Array.from({ length: cfg.nsamples }, (_, b) =>
    embedCpu(m.spec, m.weights, ids.subarray(b * cfg.seqlen, (b + 1) * cfg.seqlen)),
  );
  const Yref = await Promise.all(Xp.map(async (x) => (await cpu.forward(blk, x, null)).y));
  const scaler = Object.fromEntries(
    LINEAR_NAMES.map((n) => [n, Float64Array.from({ length: linearOf(blk, n).in }, (_, j) => 1 + ((j * 7919) % 13) / 13)]),
  ) as Record<LinearName, Float64Array>;
  const run = async (exec: BlockExecutor) => {
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
  const e = await run(await make(m));
  const c = await run(cpu);
  expect(e.steps.length).toBe(6);
  e.steps.forEach((s, i) => {
    const ref = c.steps[i];
    reportScalar(`step ${i} recon loss`, s.reconLoss, ref.reconLoss);
    expect(Math.abs(s.reconLoss - ref.reconLoss)).toBeLessThanOrEqual(1e-5 * ref.reconLoss);
    for (const n of LINEAR_NAMES) expect(Math.abs(s.layerSparsity[n] - ref.layerSparsity[n])).toBeLessThan(1e-4);
  });
  expect(c.steps.at(-1)!.d!).toBeGreaterThan(1e-6); // θ really moved (d grew), so the comparison is not trivial
  for (const n of LINEAR_NAMES) expectClose(e.r.theta[n], c.r.theta[n], { atol: 1e-5, rtol: 1e-3, what: `theta.${n}` });
  let differ = 0;
  for (const n of LINEAR_NAMES) for (let j = 0; j < e.r.masks[n].length; j++) if (e.r.masks[n][j] !== c.r.masks[n][j]) differ++;
  expect(differ).toBe(0);
  return e.r;
}
