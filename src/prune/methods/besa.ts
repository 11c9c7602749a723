// BESA on one decoder block (docs/besa.md §1.2–§1.8, LLMPrune-BESA main.grad_prune + models/sparse_layers):
//   init: per-row stable sort of the importance (Wanda |W|·sqrt(scaler_row) from the dense pass), θ = 0,
//         101 candidates (step 0.01), one logit row per output row (or one per linear, layer-wise)
//   step (one calibration sequence, batch 1, `epochs` passes):
//     p = softmax(sigmoid θ) (or softmax θ), s_row = p·cand, s_block parameter-weighted over the 7 linears
//     M_hard: prune floor(s_row·C) least important; forward the block with W ⊙ M_hard (STE value). besaBlock
//       hands the executor only the counts n_g + the block's sort order: the GPU builds M_hard on the device
//       and runs the whole step there (exec.besaStep: one submit, one readback, docs/speed.md §2), the CPU
//       expands them with hardMask (lazyHardMasks) and runs forward / L_rec / besaPrefix (besaStepOf)
//     L = L_rec(Y, Y_ref) + λ((s_block − α̂)/α̂)²; dL/dM from the executor's backward;
//     dL/dθ by the prefix-sum form: the executor returns Pre_r(k_d) per row (on the GPU: computed on the
//     device from dL/dM, shaders/besa_prefix_grad.wgsl), grad.ts does the softmax tail; Prodigy (fresh per block, shared d) or AdamW
//   finish: hard mask from the final θ (no weight update): 'reference' = floor(s_row·C) as the code does;
//           'match-target' (default) = the same learned s_row rounded so the block prunes exactly
//           round(α̂·numel) weights (src/core/besa/matchTarget.ts; training is identical in both).
// Only θ is trained; W is never modified here (the pipeline applies the returned masks copy-on-write).
import { penaltyGradPerRow, sumPrefixByGroup, thetaGradFromPrefix } from '../../core/besa/grad';
import { initBesaLinear, type BesaLinear } from '../../core/besa/layer';
import { hardKeepBits, hardPruneCounts } from '../../core/besa/masks';
import { matchTargetCounts } from '../../core/besa/matchTarget';
import { blockSparsity, mean, probabilities, rowSparsities, sparsityPenalty } from '../../core/besa/sparsity';
import { assertFinite, BESA_ADVICE, MODEL_ADVICE } from '../finite';
import { AdamW } from '../../core/optim/adam';
import { Prodigy } from '../../core/optim/prodigy';
import { blockLinearNames, linearOf, type BlockWeights, type LinearName } from '../../model/spec';
import type { BesaOptions } from '../config';
import type { LayerSparsity } from '../events';
import { besaStepOf, type BesaCounts, type BesaOrder, type BlockExecutor } from '../executor';
import type { OptimizerSnapshot } from '../../core/optim/snapshot';

export interface BesaStepInfo {
  step: number; // 0-based within the block
  totalSteps: number;
  reconLoss: number;
  penalty: number;
  /** Expected sparsities s_layer from θ used in this step (docs/besa.md §1.4). */
  layerSparsity: LayerSparsity;
  /** Per logit row s_g = Σ_d p_{g,d}·cand_d from the same θ (docs/besa.md §1.4), [G] per linear: G = rows
   *  row-wise, rows/b for blocksize b, 1 layer-wise; mean_g = layerSparsity. f64 on purpose: early steps
   *  move rows by ~1e-7, about one f32 ulp at 0.5, so f32 would flatten exactly what the studio shows. */
  rowSparsity: Record<LinearName, Float64Array>;
  blockSparsity: number;
  d?: number; // Prodigy step-size estimate after the step
  seconds: number; // wall time of this step
}

/** What the charts need of one finished step (BesaStepInfo without the per-row arrays and the timing). */
export type BesaStepRecord = Omit<BesaStepInfo, 'rowSparsity' | 'seconds'>;

/**
 * A BESA block stopped between two steps, with everything needed to continue it exactly (issue #14: a
 * checkpoint inside a block). The samples are visited in a fixed order, so `step` alone says which comes next.
 */
export interface BesaProgress {
  step: number; // steps done = the index of the next one
  totalSteps: number;
  theta: Float32Array[]; // one per linear, in blockLinearNames order (7 llama, 6 gpt2), each [G, D]
  optimizer: OptimizerSnapshot;
  firstReconLoss: number;
  /** The finished steps, so a resumed block's charts start where they stopped. */
  trace: BesaStepRecord[];
}

export interface BesaBlockInput {
  exec: BlockExecutor;
  block: BlockWeights; // dense, frozen
  Xp: Float32Array[]; // [nsamples] × [T, C] pruned-chain inputs
  Yref: Float32Array[]; // [nsamples] × [T, C] targets (docs/besa.md §1.6)
  /** scaler_row per linear (required for importance 'wanda'). */
  scalerRow?: (n: LinearName) => ArrayLike<number>;
  target: number; // α̂
  opts: BesaOptions;
  /** Awaited before every optimiser step: pause/step controls and cancellation (may throw). */
  beforeStep?: (step: number) => Promise<void>;
  onStep?: (info: BesaStepInfo) => void;
  /** Continue a block stopped between steps (θ, optimiser, step counter restored) instead of starting it. */
  resume?: BesaProgress;
  /** Called every `saveEvery` steps, and when beforeStep throws (a cancel) after unsaved steps. */
  saveProgress?: (p: BesaProgress) => Promise<void>;
  saveEvery?: number;
}

export interface BesaBlockResult {
  /** Final hard masks (1 = keep), [out, in] per linear, one byte per weight. */
  masks: Record<LinearName, Uint8Array>;
  /** Expected sparsity per linear from the final θ. */
  expected: LayerSparsity;
  expectedBlock: number;
  /** Block sparsity the reference rule floor(s_row·C) gives from the final θ (equals the applied one in 'reference' mode). */
  referenceBlockSparsity: number;
  /** 'match-target': the common shift Δ added to every learned row sparsity before rounding (0 in 'reference' mode). */
  matchShift: number;
  firstReconLoss: number;
  steps: number;
  theta: Record<LinearName, Float32Array>;
}

export class BesaOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BesaOptionError';
  }
}

interface LayerState {
  L: BesaLinear;
  numel: number;
  /** σ(θ) [G, D] of the current step, written by probabilities and read by thetaGradFromPrefix (reused per step). */
  sig: Float64Array;
}

/**
 * p, s_g and the hard-mask prune counts n_g = floor(s_g·C) [G] per linear from the current θ (docs/besa.md §1.4–§1.5);
 * p by `exec` when it offers besaProbabilities (bit-identical to probabilities).
 */
function currentCounts(layers: LayerState[], D: number, exec?: BlockExecutor) {
  return layers.map(({ L, sig }) => {
    const p = exec?.besaProbabilities
      ? exec.besaProbabilities(L.theta, L.G, D, L.useSigmoid, sig)
      : probabilities(L.theta, L.G, D, L.useSigmoid, sig);
    const s = rowSparsities(p, L.cand, L.G);
    return { p, s, sparsity: mean(s), n: hardPruneCounts(s, L.cols) };
  });
}

export async function besaBlock(inp: BesaBlockInput): Promise<BesaBlockResult> {
  const { exec, block, Xp, Yref, opts, target } = inp;
  if (Xp.length === 0 || Xp.length !== Yref.length)
    throw new BesaOptionError(`besaBlock: got ${Xp.length} inputs and ${Yref.length} targets; pass one target per calibration sample`);
  if (!(target > 0 && target < 1)) throw new BesaOptionError(`BESA target sparsity ${target} must be in (0, 1), e.g. 0.5`);
  if (!(opts.epochs >= 1)) throw new BesaOptionError(`BESA epochs=${opts.epochs} must be >= 1 (the reference uses 1)`);
  if (opts.importance === 'wanda' && !inp.scalerRow)
    throw new BesaOptionError("BESA importance 'wanda' needs the dense-pass scaler_row; pass scalerRow or use importance 'weight'");
  const names = blockLinearNames(block);
  const layers: LayerState[] = names.map((n) => {
    const lw = linearOf(block, n);
    const L = initBesaLinear(lw.w, lw.out, lw.in, {
      granularity: opts.granularity,
      metric: opts.importance,
      scalerRow: opts.importance === 'wanda' ? Float64Array.from(inp.scalerRow!(n)) : null,
      step: opts.candidateStep,
      sigmoid: opts.sigmoid,
    });
    return { L, numel: lw.out * lw.in, sig: new Float64Array(L.theta.length) };
  });
  const D = layers[0].L.cand.length;
  const order = {} as BesaOrder;
  names.forEach((n, i) => (order[n] = { sortIdx: layers[i].L.sortIdx, kd: layers[i].L.kd }));
  const totalNumel = layers.reduce((a, l) => a + l.numel, 0);
  const thetas = layers.map((l) => l.L.theta);
  // docs/besa.md §1.7: a NEW optimiser per block, one param group with the 7 θ (shared d)
  const opt =
    opts.optimizer === 'prodigy'
      ? new Prodigy(thetas, { lr: 1, dCoef: opts.dCoef }, exec.prodigyStore?.(thetas))
      : new AdamW(thetas, { lr: opts.adamLr, weightDecay: 0 });
  const totalSteps = opts.epochs * Xp.length;
  let firstReconLoss = NaN;
  const trace: BesaStepRecord[] = [];
  let start = 0;
  if (inp.resume) {
    const r = inp.resume;
    if (r.totalSteps !== totalSteps || r.theta.length !== thetas.length || !(r.step > 0 && r.step < totalSteps))
      throw new BesaOptionError(
        `BESA resume: the saved block has ${r.theta.length} θ tensors at step ${r.step} of ${r.totalSteps}, but this run has ${thetas.length} with ${totalSteps} steps; clear the checkpoint and start the block again`,
      );
    r.theta.forEach((t, i) => {
      if (t.length !== thetas[i].length)
        throw new BesaOptionError(
          `BESA resume: θ of ${names[i]} has ${t.length} values, ${thetas[i].length} expected; clear the checkpoint`,
        );
      thetas[i].set(t);
    });
    opt.restore(r.optimizer);
    start = r.step;
    firstReconLoss = r.firstReconLoss;
    trace.push(...r.trace);
  }
  const progress = (done: number): BesaProgress => ({
    step: done,
    totalSteps,
    theta: thetas.map((t) => t.slice()),
    optimizer: opt.snapshot(),
    firstReconLoss,
    trace: trace.slice(),
  });
  let saved = start;
  const every = inp.saveEvery ?? 0;
  // Steps visit the samples in order, epoch after epoch (the reference's loop): step k uses sample k mod n.
  for (let step = start; step < totalSteps; step++) {
    const b = step % Xp.length;
    try {
      await inp.beforeStep?.(step);
    } catch (err) {
      // cancelled between steps: keep the steps done since the last save, then stop as asked
      if (inp.saveProgress && step > saved) await inp.saveProgress(progress(step));
      throw err;
    }
    const t0 = performance.now();
    const cur = currentCounts(layers, D, exec);
    const sBlock = blockSparsity(layers.map((l, i) => ({ numel: l.numel, sparsity: cur[i].sparsity })));
    const pen = sparsityPenalty(sBlock, target, opts.lambda);
    const counts = {} as BesaCounts;
    names.forEach((n, i) => (counts[n] = cur[i].n));
    const { reconLoss: loss, pre } = exec.besaStep
      ? await exec.besaStep(block, order, counts, Xp[b], Yref[b])
      : await besaStepOf(exec, block, order, counts, Xp[b], Yref[b]);
    const grads = layers.map(({ L, numel, sig }, i) => {
      const preG = sumPrefixByGroup(pre[names[i]], L.rows, D, L.G); // [G, D]
      const dLds = penaltyGradPerRow(pen.dS, numel, totalNumel, L.G);
      return exec.besaThetaGrad
        ? exec.besaThetaGrad(preG, cur[i].p, L.cand, L.G, L.useSigmoid, dLds, sig)
        : thetaGradFromPrefix(preG, L.theta, cur[i].p, L.cand, L.G, L.useSigmoid, dLds, sig);
    });
    const where = `BESA step ${step + 1}/${totalSteps}`;
    assertFinite(`${where}: the reconstruction loss`, [[loss]], step === 0 ? MODEL_ADVICE : BESA_ADVICE);
    opt.step(grads);
    assertFinite(`${where}: θ after the optimiser step`, thetas, BESA_ADVICE);
    if (opt instanceof Prodigy) assertFinite(`${where}: Prodigy's step size d`, [[opt.d]], BESA_ADVICE);
    if (step === 0) firstReconLoss = loss;
    const layerSparsity = {} as LayerSparsity;
    const rowSparsity = {} as Record<LinearName, Float64Array>;
    names.forEach((n, i) => {
      layerSparsity[n] = cur[i].sparsity;
      rowSparsity[n] = cur[i].s; // currentMasks allocates it fresh each step and nothing mutates it later
    });
    const record: BesaStepRecord = {
      step,
      totalSteps,
      reconLoss: loss,
      penalty: pen.penalty,
      layerSparsity,
      blockSparsity: sBlock,
      d: opt instanceof Prodigy ? opt.d : undefined,
    };
    trace.push(record);
    inp.onStep?.({ ...record, rowSparsity, seconds: (performance.now() - t0) / 1000 });
    if (inp.saveProgress && every > 0 && (step + 1) % every === 0 && step + 1 < totalSteps) {
      await inp.saveProgress(progress(step + 1));
      saved = step + 1;
    }
  }
  // finish_learn_sparsity: recompute p and M_hard from the final θ
  // (on the CPU, once per block: the pipeline applies the masks to the host weights)
  const fin = currentCounts(layers, D);
  // zeros of the reference mask: every row of group g prunes n_g weights (sortIdx rows are permutations)
  const refZeros = layers.reduce((a, { L }, i) => a + (L.rows / L.G) * fin[i].n.reduce((x, v) => x + v, 0), 0);
  let finalCounts = fin.map((f) => f.n);
  let matchShift = 0;
  if (opts.finalMask === 'match-target') {
    const m = matchTargetCounts(
      layers.map(({ L }, i) => ({ s: fin[i].s, rows: L.rows, cols: L.cols })),
      Math.round(target * totalNumel),
    );
    finalCounts = m.counts; // counts per logit group, the same form as n_g
    matchShift = m.delta;
  }
  const finalMasks = layers.map(({ L }, i) => hardKeepBits(finalCounts[i], L.sortIdx, L.rows, L.cols));
  const masks = {} as Record<LinearName, Uint8Array>;
  const expected = {} as LayerSparsity;
  const theta = {} as Record<LinearName, Float32Array>;
  names.forEach((n, i) => {
    masks[n] = finalMasks[i];
    expected[n] = fin[i].sparsity;
    theta[n] = layers[i].L.theta;
  });
  const expectedBlock = blockSparsity(layers.map((l, i) => ({ numel: l.numel, sparsity: fin[i].sparsity })));
  return {
    masks,
    expected,
    expectedBlock,
    referenceBlockSparsity: refZeros / totalNumel,
    matchShift,
    firstReconLoss,
    steps: totalSteps,
    theta,
  };
}
