// The per-step series of a run, kept in its report so that a report file opened later (or elsewhere) shows
// the run's charts, not only its final numbers (issue #14). One row per recorded optimiser step, in the
// trace's columns order (TRACE_COLUMNS for LLaMA, GPT2_TRACE_COLUMNS for GPT-2: the 4 step values, then the
// block's linears, docs/gpt2.md §3); at most TRACE_MAX_POINTS rows per block (evenly spaced, the last step
// always kept), so a long run's report stays small: 30 blocks × 256 × 11 numbers.
import { GPT2_LINEAR_NAMES, LINEAR_NAMES, recordLinearNames, type LinearName } from '../model/spec';
import type { EngineEvent } from './events';
import type { RunReport } from './report';

/** The columns before the linears: step index, L_rec, penalty, expected block sparsity. */
export const TRACE_STEP_COLUMNS = ['step', 'recon', 'penalty', 'total'] as const;
/** A LLaMA-family run's columns (and every report written before GPT-2). */
export const TRACE_COLUMNS = [...TRACE_STEP_COLUMNS, ...LINEAR_NAMES] as const;
/** A GPT-2 run's columns. */
export const GPT2_TRACE_COLUMNS = [...TRACE_STEP_COLUMNS, ...GPT2_LINEAR_NAMES] as const;
export const TRACE_MAX_POINTS = 256;

/** The trace columns of a run whose blocks have these linears. */
export function traceColumns(names: readonly LinearName[]): readonly string[] {
  return names.includes('fc') ? GPT2_TRACE_COLUMNS : TRACE_COLUMNS;
}

/** The linears a trace's rows hold after the step columns: GPT-2's when its columns name fc, else LLaMA's. */
export function traceLinearNames(columns: readonly string[]): readonly LinearName[] {
  return columns.includes('fc') ? GPT2_LINEAR_NAMES : LINEAR_NAMES;
}

/**
 * The linears of a report's blocks: from its allocation (the per-linear counts), else its trace's columns,
 * else its model family. A report without any of them (older, or LLaMA) is LLaMA's.
 */
export function reportLinearNames(r: Pick<RunReport, 'allocation' | 'trace'> & { model: { family?: string } }): readonly LinearName[] {
  const layers = r.allocation[0]?.layers;
  if (layers && typeof layers === 'object') return recordLinearNames(layers);
  if (Array.isArray(r.trace?.columns)) return traceLinearNames(r.trace.columns);
  return r.model.family === 'gpt2' ? GPT2_LINEAR_NAMES : LINEAR_NAMES;
}

export interface BlockTrace {
  block: number;
  totalSteps: number;
  /** [step, L_rec, penalty, expected block sparsity, then each linear's expected sparsity] per row. */
  rows: number[][];
}

export interface RunTrace {
  columns: readonly string[];
  blocks: BlockTrace[];
}

/** Evenly spaced rows, at most max of them, first and last kept. */
export function thinRows<T>(rows: T[], max = TRACE_MAX_POINTS): T[] {
  if (rows.length <= max) return rows;
  return Array.from({ length: max }, (_, i) => rows[Math.round((i * (rows.length - 1)) / (max - 1))]);
}

/** Collects 'step' events per block while a run emits them. */
export class StepTraceRecorder {
  private readonly blocks = new Map<number, BlockTrace>();
  /** The run's linears: given, or taken from its first step or block-end (LLaMA's until then). */
  private names: readonly LinearName[] | null;

  constructor(names?: readonly LinearName[]) {
    this.names = names ?? null;
  }

  add(e: EngineEvent): void {
    if (e.type === 'block-start') this.blocks.set(e.block, { block: e.block, totalSteps: e.totalSteps, rows: [] });
    else if (e.type === 'block-end') this.names ??= recordLinearNames(e.layerSparsity);
    else if (e.type === 'step') {
      const names = (this.names ??= recordLinearNames(e.layerSparsity));
      const b = this.blocks.get(e.block);
      if (!b) return;
      b.totalSteps = e.totalSteps;
      b.rows.push([e.step, e.reconLoss, e.penalty, e.blockSparsity, ...names.map((n) => e.layerSparsity[n])]);
    }
  }

  /** The trace of the blocks that reported steps (one-shot methods report none). */
  trace(): RunTrace {
    const blocks = [...this.blocks.values()].filter((b) => b.rows.length).map((b) => ({ ...b, rows: thinRows(b.rows) }));
    return { columns: traceColumns(this.names ?? LINEAR_NAMES), blocks: blocks.sort((a, b) => a.block - b.block) };
  }
}
