// The per-step series of a run, kept in its report so that a report file opened later (or elsewhere) shows
// the run's charts, not only its final numbers (issue #14). One row per recorded optimiser step, in
// TRACE_COLUMNS order; at most TRACE_MAX_POINTS rows per block (evenly spaced, the last step always kept),
// so a long run's report stays small: 30 blocks × 256 × 11 numbers.
import { LINEAR_NAMES } from '../model/spec';
import type { EngineEvent } from './events';

export const TRACE_COLUMNS = ['step', 'recon', 'penalty', 'total', ...LINEAR_NAMES] as const;
export const TRACE_MAX_POINTS = 256;

export interface BlockTrace {
  block: number;
  totalSteps: number;
  /** [step, L_rec, penalty, expected block sparsity, then the 7 linears' expected sparsities] per row. */
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

  add(e: EngineEvent): void {
    if (e.type === 'block-start') this.blocks.set(e.block, { block: e.block, totalSteps: e.totalSteps, rows: [] });
    else if (e.type === 'step') {
      const b = this.blocks.get(e.block);
      if (!b) return;
      b.totalSteps = e.totalSteps;
      b.rows.push([e.step, e.reconLoss, e.penalty, e.blockSparsity, ...LINEAR_NAMES.map((n) => e.layerSparsity[n])]);
    }
  }

  /** The trace of the blocks that reported steps (one-shot methods report none). */
  trace(): RunTrace {
    const blocks = [...this.blocks.values()].filter((b) => b.rows.length).map((b) => ({ ...b, rows: thinRows(b.rows) }));
    return { columns: TRACE_COLUMNS, blocks: blocks.sort((a, b) => a.block - b.block) };
  }
}
