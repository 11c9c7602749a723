// The block step the pipeline calls for each method (docs/besa.md §1.8 "method step"): what goes in (the dense
// block, its pruned-chain inputs X_p, the reconstruction target, the dense-pass statistics) and what
// comes out (new weight arrays + the method's additions to the block summary). The pipeline owns the
// loop, cancellation and progress; a step reports its own optimiser steps through the context.
import { blockLinearNames, linearOf, type BlockWeights, type LinearName } from '../../model/spec';
import type { BlockInputStats } from '../blockStats';
import type { RunConfig } from '../config';
import type { EngineEvent } from '../events';
import type { BlockExecutor } from '../executor';
import type { BlockSummary } from '../summary';
import { besaBlock, type BesaProgress } from './besa';
import { oneShotBlock, type LinearPruner } from './oneshot';

export interface BlockStepContext {
  exec: BlockExecutor;
  cfg: RunConfig;
  blockIndex: number;
  dense: BlockWeights; // frozen while the step learns; see mayOverwrite
  /**
   * Whether linear n of `dense` is the pipeline's own f32 widening of a 16-bit linear (not the model's
   * array), which the pipeline does not read again after the step: a step may then write its pruned result
   * into it instead of a second [out, in] copy (docs/real-models.md §2: one block in f32 at the peak).
   */
  mayOverwrite?(n: LinearName): boolean;
  Xp: Float32Array[]; // [nsamples] × [T, C] pruned-chain inputs
  target: Float32Array[]; // [nsamples] × [T, C] what the pruned block must reproduce (docs/besa.md §1.6)
  stats: BlockInputStats | null; // present when the method's needs ask for dense-pass statistics
  emit(e: EngineEvent): void;
  /** Cancellation check (throws RunCancelledError); one-shot steps call it once before their work. */
  checkAbort(): Promise<void>;
  /** Awaited before every learned step: cancellation + the 'step' pause point. */
  beforeLearnedStep(): Promise<void>;
  /** Called after every learned step (after its step/rows events): counts the unit and emits progress. */
  learnedStepDone(step: number, totalSteps: number): void;
  /** A learned block stopped between steps by an earlier run: continue it (src/prune/checkpoint.ts). */
  resume?: BesaProgress;
  /** Store a learned block's state every `saveEvery` steps and on cancel (absent: the store cannot). */
  saveProgress?: (p: BesaProgress) => Promise<void>;
  saveEvery?: number;
}

export interface BlockStepResult {
  weights: Record<LinearName, Float32Array>; // [out, in] pruned copies
  /** Learned block sparsity (BESA: expected from θ), reported on block-end. */
  learned?: number;
  summary: Partial<BlockSummary>;
}

/** BESA: learn the masks for this block (besaBlock), then W ← W ⊙ M_hard (docs/besa.md §1.8). */
export async function besaPipelineStep(ctx: BlockStepContext): Promise<BlockStepResult> {
  const { cfg, dense, stats, blockIndex: i } = ctx;
  // A resumed block's charts start with the steps the earlier run finished (the per-row view starts afresh).
  for (const s of ctx.resume?.trace ?? []) ctx.emit({ type: 'step', block: i, ...s });
  const r = await besaBlock({
    exec: ctx.exec,
    block: dense,
    Xp: ctx.Xp,
    Yref: ctx.target,
    scalerRow: stats ? (n) => stats.scalerRow(n) : undefined,
    target: cfg.sparsity,
    opts: cfg.besa,
    beforeStep: () => ctx.beforeLearnedStep(),
    resume: ctx.resume,
    saveProgress: ctx.saveProgress,
    saveEvery: ctx.saveEvery,
    onStep: (s) => {
      ctx.emit({
        type: 'step',
        block: i,
        step: s.step,
        totalSteps: s.totalSteps,
        reconLoss: s.reconLoss,
        penalty: s.penalty,
        layerSparsity: s.layerSparsity,
        blockSparsity: s.blockSparsity,
        d: s.d,
      });
      ctx.emit({ type: 'rows', block: i, step: s.step, rows: s.rowSparsity }); // per-row allocation, right after its step
      ctx.learnedStepDone(s.step, s.totalSteps);
    },
  });
  if (Math.abs(r.matchShift) > 0.02)
    ctx.emit({
      type: 'log',
      level: 'warn',
      message: `block ${i}: BESA learned a block sparsity of ${r.expectedBlock.toFixed(4)} against the target ${cfg.sparsity}; the 'match-target' final mask shifted every row by ${(r.matchShift * 100).toFixed(1)} pp to prune exactly the target${cfg.besa.sigmoid && cfg.sparsity > 0.6 ? ' (sigmoid smoothing caps learned rows near 0.624: turn sigmoid off for this target)' : ' (raise lambda to learn closer to it)'}`,
    });
  const weights = {} as Record<LinearName, Float32Array>;
  for (const n of blockLinearNames(dense)) {
    const w = linearOf(dense, n).w;
    const m = r.masks[n];
    const out = ctx.mayOverwrite?.(n) ? w : new Float32Array(w.length);
    for (let j = 0; j < w.length; j++) out[j] = m[j] !== 0 ? w[j] : 0; // W ← W ⊙ M_hard (docs/besa.md §1.8)
    weights[n] = out;
  }
  return {
    weights,
    learned: r.expectedBlock,
    summary: {
      expectedSparsity: r.expected,
      referenceMaskSparsity: r.referenceBlockSparsity,
      matchShift: r.matchShift,
      lossBefore: r.firstReconLoss,
      steps: r.steps,
    },
  };
}

/** Wanda / SparseGPT / magnitude: one shot from the dense-pass statistics (oneShotBlock). */
export function oneShotPipelineStep(pruneLinear: LinearPruner): (ctx: BlockStepContext) => Promise<BlockStepResult> {
  return async (ctx) => {
    await ctx.checkAbort();
    const r = oneShotBlock(pruneLinear, ctx.dense, ctx.stats, ctx.cfg);
    return { weights: r.weights, summary: { steps: 1, ...(r.obsLoss ? { obsLoss: r.obsLoss } : {}) } };
  };
}
