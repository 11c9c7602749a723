// The pruning pipeline (docs/architecture.md §2 data flow, docs/besa.md §1.8): one block loop for every method.
//   X_p ← embeddings(calibration)                       [nsamples] × [T, C]
//   for block i (from the checkpoint's next block on --resume):
//     dense pass on X_p: Y_ref (or the dense chain Y_fp, docs/besa.md §1.6 option) + input statistics
//     method step (the registry's pruneBlock): BESA (learned masks) | Wanda | SparseGPT | magnitude (± N:M)
//     apply: new weight arrays for the 7 linears (copy-on-write: the caller's dense weights are never written)
//     X_p ← pruned block(X_p); events (block-end with zeros counted, ETA); checkpoint
// Cancellation (AbortSignal) is checked between steps; a cancelled run returns the finished blocks
// pruned and the current block dense, i.e. always a consistent model.
import { reconLoss } from '../core/ops/reconLoss';
import { embedCpu } from '../model/forward';
import {
  blockStoredLike,
  blockToF32,
  blockLinearNames,
  linearOf,
  type BlockWeights,
  type LinearName,
  type ModelSpec,
  type StoredBlock,
  type StoredWeights,
} from '../model/spec';
import { BlockInputStats } from './blockStats';
import type { CheckpointStore, ResumeState } from './checkpoint';
import { RunEta } from './eta';
import { CheckpointMismatchError } from './checkpoint';
import { assertFinite, BESA_ADVICE, MODEL_ADVICE } from './finite';
import type { RunConfig } from './config';
import type { PruneControl } from './controller';
import type { EngineEvent, EngineEventListener } from './events';
import { forwardAll, type BlockExecutor } from './executor';
import { methodOf } from './methods/registry';
import { checkRunConfig, pruneRunKey, RunConfigError } from './runConfigCheck';
import { measureBlock, type BlockSummary } from './summary';

/** What the pipeline needs of a loaded model (LoadedModel satisfies it). */
export interface PrunableModel {
  name: string;
  weightsSha256: string;
  spec: ModelSpec;
  weights: StoredWeights;
}

export interface PipelineOptions {
  model: PrunableModel;
  config: RunConfig;
  /** Calibration token ids, [nsamples, seqlen] row-major (data/windows.ts sampleCalibration). */
  calibrationIds: Int32Array;
  executor: BlockExecutor;
  onEvent?: EngineEventListener;
  signal?: AbortSignal;
  controller?: PruneControl;
  checkpoint?: CheckpointStore;
  /** Continue after the checkpoint's last completed block (else the store is cleared first). */
  resume?: boolean;
  /** Already-loaded checkpoint state (the job peeks at it to announce startBlock); implies resume. */
  resumeFrom?: ResumeState | null;
  /** A learned block saves its state every this many steps (and on cancel) when the store can (default 8; 0 = only on cancel). */
  checkpointEvery?: number;
}

/** Steps between two saves of a block in progress: a few MB of θ and optimiser state each time. */
export const DEFAULT_CHECKPOINT_EVERY = 8;

export interface PipelineResult {
  status: 'completed' | 'cancelled';
  /** Pruned model: finished blocks have new linear arrays; everything else is shared with the input. */
  weights: StoredWeights;
  blocks: BlockSummary[]; // one per completed block (resumed ones included)
  startBlock: number;
  completedBlocks: number;
  seconds: number;
}

/**
 * Give the event loop a turn: on the CPU executor every await resolves as a microtask, so without this
 * a Worker would never see the UI's pause/cancel messages and Node never runs its SIGINT handler.
 */
export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

export class RunCancelledError extends Error {
  constructor() {
    super('run cancelled');
    this.name = 'RunCancelledError';
  }
}

/** A block with all its linears replaced by f32 arrays (norms and biases shared). */
export function withLinears(block: StoredBlock, w: Record<LinearName, Float32Array>): BlockWeights {
  const out = { ...block } as unknown as BlockWeights;
  for (const n of blockLinearNames(block)) out[n] = { ...linearOf(block, n), w: w[n] };
  return out;
}

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const t0 = performance.now();
  const { model, config: cfg, executor: exec, signal } = o;
  const spec = model.spec;
  const emit = (e: EngineEvent) => o.onEvent?.(e);
  for (const w of checkRunConfig(cfg, spec)) emit({ type: 'log', level: 'warn', message: w });
  const { nsamples, seqlen } = cfg;
  if (o.calibrationIds.length !== nsamples * seqlen)
    throw new RunConfigError(
      `runPipeline: calibrationIds has ${o.calibrationIds.length} ids, expected nsamples·seqlen = ${nsamples}·${seqlen}; build the calibration windows with the run's nsamples and seqlen`,
    );
  const nBlocks = spec.nLayers;
  const runKey = pruneRunKey(model.weightsSha256, cfg);
  const method = methodOf(cfg.method);
  const denseChain = method.usesDenseChain(cfg);
  const stepsPerBlock = method.stepsPerBlock(cfg, nsamples);
  const blocks = model.weights.blocks.slice();
  const summaries: BlockSummary[] = [];
  let Xp: Float32Array[] = [];
  let Xfp: Float32Array[] | undefined;
  let start = 0;

  const embedAll = () => {
    Xp = [];
    for (let b = 0; b < nsamples; b++) Xp.push(embedCpu(spec, model.weights, o.calibrationIds.subarray(b * seqlen, (b + 1) * seqlen)));
    Xfp = denseChain ? Xp.map((x) => x.slice()) : undefined;
  };
  const resumed = o.resumeFrom !== undefined ? o.resumeFrom : o.resume && o.checkpoint ? await o.checkpoint.load() : null;
  if (resumed) {
    if (resumed.runKey !== runKey) throw new CheckpointMismatchError('resume', resumed.runKey, runKey);
    start = resumed.completed;
    resumed.blocks.forEach((w, i) => (blocks[i] = blockStoredLike(blocks[i], withLinears(blocks[i], w))));
    summaries.push(...resumed.summaries);
    Xp = resumed.Xp;
    Xfp = resumed.Xfp;
    if (start === 0) embedAll(); // only block 0's learned state was saved: its inputs are the embeddings
    if (denseChain && !Xfp) throw new CheckpointMismatchError('resume', 'checkpoint without the dense chain', 'dense-chain target');
    const p = resumed.partial;
    emit({
      type: 'log',
      level: 'info',
      message: p
        ? `resuming block ${start} at step ${p.step + 1}/${p.totalSteps} (${start}/${nBlocks} blocks done)`
        : `resuming after block ${start - 1} (${start}/${nBlocks} blocks done)`,
    });
  } else {
    if (!o.resume) await o.checkpoint?.clear();
    embedAll();
  }
  const store = o.checkpoint;
  const saveEvery = o.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;

  const result = (status: PipelineResult['status'], completed: number): PipelineResult => ({
    status,
    weights: { ...model.weights, blocks },
    blocks: summaries,
    startBlock: start,
    completedBlocks: completed,
    seconds: (performance.now() - t0) / 1000,
  });
  const checkAbort = async () => {
    await yieldToEventLoop();
    if (signal?.aborted) throw new RunCancelledError();
  };
  // Progress in units (learned steps, or blocks for one-shot methods); the ETA times a block's fixed part and
  // its steps apart (src/prune/eta.ts).
  const learns = method.learnsPerStep;
  const unitsPerBlock = learns ? stepsPerBlock : 1;
  const totalUnits = (nBlocks - start) * unitsPerBlock;
  const timer = new RunEta(nBlocks - start, learns ? stepsPerBlock : 0, nsamples);
  const now = () => performance.now() / 1000;
  const eta = () => timer.remaining(now());
  const phase = (i: number, done: number, what: string) =>
    emit({ type: 'progress', done, total: totalUnits, label: `block ${i} (${i + 1} of ${nBlocks}) ${what}`, etaSeconds: eta() });

  let i = start;
  try {
    for (; i < nBlocks; i++) {
      await checkAbort();
      await o.controller?.waitIfPaused(method.learnsPerStep ? 'block' : 'step', signal);
      await checkAbort();
      const tb = performance.now();
      // Only this block is widened to f32 (docs/real-models.md §2); an f32 checkpoint's block is used as is.
      const dense = blockToF32(model.weights.blocks[i]);
      emit({ type: 'block-start', block: i, nBlocks, totalSteps: stepsPerBlock });
      timer.blockStart(now());
      phase(i, (i - start) * unitsPerBlock, `dense pass over ${nsamples} samples`); // shown while it runs

      // Dense pass on X_p: targets + statistics in one pass (docs/besa.md §1.2, §1.8).
      const need = method.needs(cfg);
      const needs = { wanda: need.wandaScaler, hessian: need.hessian };
      const stats = needs.wanda || needs.hessian ? new BlockInputStats(spec, dense, needs) : null;
      const Yref: Float32Array[] = [];
      const Yfp: Float32Array[] = [];
      // all samples at once where the executor batches them (docs/speed.md §6)
      await checkAbort();
      for (const fw of await forwardAll(exec, dense, Xp, { collectInputs: !!stats, between: checkAbort })) {
        if (stats && fw.inputs) stats.add(fw.inputs);
        Yref.push(fw.y);
      }
      if (denseChain) for (const fw of await forwardAll(exec, dense, Xfp!, { between: checkAbort })) Yfp.push(fw.y);
      const target = denseChain ? Yfp : Yref;
      await exec.checkDevice?.(`block ${i}: dense pass`);
      timer.denseDone(now());
      if (!learns) phase(i, (i - start) * unitsPerBlock, `pruning (${cfg.method})`);
      if (i === start) assertFinite(`block ${i}: the calibration activations entering it`, Xp, MODEL_ADVICE);
      assertFinite(`block ${i}: the dense block's output`, target, MODEL_ADVICE);

      const step = await method.pruneBlock({
        exec,
        cfg,
        blockIndex: i,
        dense,
        mayOverwrite: (n) => linearOf(dense, n).w !== linearOf(model.weights.blocks[i], n).w,
        Xp,
        target,
        stats,
        emit,
        checkAbort,
        beforeLearnedStep: async () => {
          await checkAbort();
          await o.controller?.waitIfPaused('step', signal);
          await checkAbort();
        },
        resume: i === start ? resumed?.partial : undefined,
        saveProgress: store?.savePartial ? (progress) => store.savePartial!({ runKey, block: i, nBlocks, progress }) : undefined,
        saveEvery,
        learnedStepDone: (s, total) => {
          timer.stepDone(now());
          phase(i, (i - start) * unitsPerBlock + s + 1, `step ${s + 1}/${total}`); // blocks 0-based as everywhere, steps counted
        },
      });
      await exec.checkDevice?.(`block ${i}: pruning (${cfg.method})`);
      const newW = step.weights;
      assertFinite(`block ${i}: the pruned weights`, Object.values(newW), BESA_ADVICE);
      const learned = step.learned;
      const extra = step.summary;

      // Chain: X_p ← pruned block(X_p), with the block loss against the target (docs/besa.md §1.8).
      const pruned = withLinears(dense, newW);
      const nextXp: Float32Array[] = [];
      let lossAfter = 0;
      await checkAbort();
      phase(i, (i - start + (learns ? 1 : 0)) * unitsPerBlock, 'pruned pass');
      const prunedOut = await forwardAll(exec, pruned, Xp, { between: checkAbort });
      for (let b = 0; b < nsamples; b++) {
        const y = prunedOut[b].y;
        lossAfter += reconLoss(y, target[b], seqlen, spec.dim).loss / nsamples;
        nextXp.push(y);
      }
      await exec.checkDevice?.(`block ${i}: pruned forward`);
      assertFinite(`block ${i}: the pruned block's output`, nextXp, BESA_ADVICE);
      const summary: BlockSummary = {
        block: i,
        ...measureBlock(pruned as Record<LinearName, { w: Float32Array; out: number; in: number }>),
        lossBefore: extra.lossBefore ?? lossAfter,
        lossAfter,
        steps: extra.steps ?? 1,
        seconds: (performance.now() - tb) / 1000,
        ...(extra.expectedSparsity
          ? { expectedSparsity: extra.expectedSparsity, referenceMaskSparsity: extra.referenceMaskSparsity, matchShift: extra.matchShift }
          : {}),
        ...(extra.obsLoss ? { obsLoss: extra.obsLoss } : {}),
      };
      // Commit the block: from here on it is part of the result even if the next step is cancelled. It is
      // stored in the checkpoint's dtype: a bf16 model's kept weights and zeros are exact in bf16.
      blocks[i] = blockStoredLike(model.weights.blocks[i], pruned);
      Xp = nextXp;
      if (denseChain) Xfp = Yfp;
      summaries.push(summary);
      await o.checkpoint?.saveBlock({ runKey, block: i, nBlocks, weights: newW, Xp, Xfp, summary });
      timer.blockDone(now());
      const e = eta() ?? 0;
      const besaInfo = learned !== undefined ? { learnedSparsity: learned, referenceMaskSparsity: summary.referenceMaskSparsity } : {};
      emit({
        type: 'block-end',
        block: i,
        layerSparsity: summary.layerSparsity,
        blockSparsity: summary.blockSparsity,
        ...besaInfo,
        lossBefore: summary.lossBefore,
        lossAfter,
        seconds: summary.seconds,
        etaSeconds: e,
      });
      if (!learns) phase(i, i - start + 1, 'done');
      const mem = exec.memory?.();
      if (mem) emit({ type: 'memory', ...mem });
    }
  } catch (err) {
    if (err instanceof RunCancelledError) return result('cancelled', i);
    throw err;
  }
  return result('completed', nBlocks);
}
