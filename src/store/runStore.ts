// The run slice: fed ONLY by EngineEvents (ingest), kept as per-block step series for the charts.
// Updates are immutable per slice (a step event copies one block's series, not the whole history),
// so a chart subscribed to one block re-renders only when that block changes.
import { createStore } from 'zustand/vanilla';
import { recordLinearNames, type LinearName } from '../model/spec';
import type { RunConfig } from '../prune/config';
import type { EngineEvent, LayerSparsity, PerplexityResult } from '../prune/events';
import type { RunReport } from '../prune/report';
import { reportLinearNames, traceLinearNames } from '../prune/reportTrace';

/** One BESA optimiser step: what the sparsity and loss charts plot. */
export interface StepPoint extends LayerSparsity {
  step: number;
  recon: number;
  penalty: number;
  total: number; // expected block sparsity (parameter-weighted, docs/besa.md §1.4)
  d?: number;
}

export type BlockStatus = 'dense' | 'running' | 'pruned';

export interface BlockState {
  status: BlockStatus;
  totalSteps: number;
  steps: StepPoint[];
  /** Measured after the mask is applied (zeros counted), from block-end. */
  final?: {
    layerSparsity: LayerSparsity;
    blockSparsity: number;
    learnedSparsity?: number;
    referenceMaskSparsity?: number;
    lossBefore: number;
    lossAfter: number;
    seconds: number;
  };
  resumed?: boolean;
}

/**
 * Per-row expected sparsities s_r of one block (docs/besa.md §1.4), from the 'rows' events: only the latest
 * step and the block's first one (to compare against), never the history, so memory stays
 * 2 × Σ rows f64 per block whatever the number of steps.
 */
export interface BlockRows {
  step: number;
  rows: Record<LinearName, Float64Array>;
  firstStep: number;
  first: Record<LinearName, Float64Array>;
}

export type RunStatus = 'idle' | 'running' | 'completed' | 'cancelled' | 'failed';

export interface RunState {
  status: RunStatus;
  runId: string | null;
  config: RunConfig | null;
  adapter: string | null;
  startBlock: number;
  blocks: BlockState[];
  /** Latest (and first) per-row allocation per block index; kept apart from `blocks` so a rows event
   *  re-renders only the row view, not every chart subscribed to the block series. */
  rowAlloc: Record<number, BlockRows>;
  /**
   * The linears of the run's blocks (docs/gpt2.md §3: LLaMA's 7 or GPT-2's 6), from its first per-linear
   * record (step, rows, block-end) or its report; null before any (the charts then use the loaded model's).
   */
  linears: readonly LinearName[] | null;
  currentBlock: number | null;
  phase: string | null;
  phaseDetail: string | null;
  progress: { done: number; total: number; label: string; etaSeconds?: number } | null;
  blockEta: number | null;
  perplexity: { dense: PerplexityResult[]; pruned: PerplexityResult[] };
  memory: { liveBytes: number; peakBytes: number } | null;
  logs: { level: 'info' | 'warn'; message: string }[];
  paused: { waiting: boolean; point: 'step' | 'block' } | null;
  error: string | null;
  achievedSparsity: number | null;
  seconds: number | null;
  report: RunReport | null;
  /** Set when the run shown is a report file opened in the studio (its weights are not here: nothing to export). */
  reportFile: string | null;
  /** Every EngineEvent count by type (tests assert the stream, not just the DOM). */
  eventCounts: Record<string, number>;
  ingest(e: EngineEvent): void;
  setPaused(p: RunState['paused']): void;
  setReport(r: RunReport): void;
  /** Show a finished run from its report file (parsed by src/prune/reportFile.ts): allocation, steps, perplexity. */
  loadReport(r: RunReport, file: string): void;
  clear(nBlocks: number): void;
}

const denseBlocks = (n: number): BlockState[] => Array.from({ length: n }, () => ({ status: 'dense' as const, totalSteps: 0, steps: [] }));

const initial = (nBlocks: number) => ({
  status: 'idle' as RunStatus,
  runId: null,
  config: null,
  adapter: null,
  startBlock: 0,
  blocks: denseBlocks(nBlocks),
  rowAlloc: {} as Record<number, BlockRows>,
  linears: null as readonly LinearName[] | null,
  currentBlock: null,
  phase: null,
  phaseDetail: null,
  progress: null,
  blockEta: null,
  perplexity: { dense: [], pruned: [] },
  memory: null,
  logs: [],
  paused: null,
  error: null,
  achievedSparsity: null,
  seconds: null,
  report: null,
  reportFile: null,
  eventCounts: {},
});

/** The blocks of a report: measured allocation and losses, and the recorded steps (src/prune/reportTrace.ts). */
function blocksOfReport(r: RunReport): BlockState[] {
  const blocks = denseBlocks(r.model.nLayers);
  const names = r.trace ? traceLinearNames(r.trace.columns) : [];
  for (const t of r.trace?.blocks ?? []) {
    const steps = t.rows.map(([step, recon, penalty, total, ...layers]) => {
      const p: StepPoint = {
        step,
        recon,
        penalty,
        total,
        ...(Object.fromEntries(names.map((n, i) => [n, layers[i]])) as LayerSparsity),
      };
      return p;
    });
    blocks[t.block] = { ...blocks[t.block], totalSteps: t.totalSteps, steps };
  }
  for (const a of r.allocation) {
    const final = {
      layerSparsity: a.layerSparsity,
      blockSparsity: a.blockSparsity,
      referenceMaskSparsity: a.referenceMaskSparsity,
      lossBefore: a.lossBefore,
      lossAfter: a.lossAfter,
      seconds: a.seconds,
    };
    blocks[a.block] = { ...blocks[a.block], status: 'pruned', final };
  }
  return blocks;
}

function setBlock(blocks: BlockState[], i: number, f: (b: BlockState) => BlockState): BlockState[] {
  const out = blocks.slice();
  while (out.length <= i) out.push({ status: 'dense', totalSteps: 0, steps: [] });
  out[i] = f(out[i]);
  return out;
}

export const runStore = createStore<RunState>()((set, get) => ({
  ...initial(0),
  clear: (nBlocks) => set(initial(nBlocks)),
  loadReport: (r, file) =>
    set({
      ...initial(r.model.nLayers),
      status: r.status,
      runId: r.runId,
      config: r.config,
      adapter: r.device.adapter,
      startBlock: r.startBlock,
      blocks: blocksOfReport(r),
      linears: reportLinearNames(r),
      perplexity: { dense: r.perplexity.dense, pruned: r.perplexity.pruned },
      achievedSparsity: r.achievedSparsity,
      seconds: r.timing.wallSeconds,
      error: r.error ?? null,
      report: r,
      reportFile: file,
    }),
  setPaused: (paused) => set({ paused: paused?.waiting ? paused : null }),
  setReport: (report) =>
    set((s) => ({
      report,
      linears: s.linears ?? reportLinearNames(report),
      // Resumed blocks were pruned in an earlier session: their measured allocation comes from the report.
      blocks: s.blocks.map((b, i) => {
        const a = report.allocation.find((x) => x.block === i);
        return b.final || !a
          ? b
          : {
              ...b,
              status: 'pruned' as const,
              final: {
                layerSparsity: a.layerSparsity,
                blockSparsity: a.blockSparsity,
                lossBefore: a.lossBefore,
                lossAfter: a.lossAfter,
                seconds: a.seconds,
              },
            };
      }),
    })),
  ingest: (e) => {
    const s = get();
    const eventCounts = { ...s.eventCounts, [e.type]: (s.eventCounts[e.type] ?? 0) + 1 };
    switch (e.type) {
      case 'run-start': {
        const blocks = denseBlocks(e.model.nLayers);
        // Blocks before startBlock were pruned in an earlier session (resume): their detail arrives
        // with the report; mark them so the timeline is honest about what this session did.
        for (let i = 0; i < e.startBlock; i++) blocks[i] = { status: 'pruned', totalSteps: 0, steps: [], resumed: true };
        return set({
          ...initial(e.model.nLayers),
          eventCounts,
          status: 'running',
          runId: e.runId,
          config: e.config,
          adapter: e.adapter,
          startBlock: e.startBlock,
          blocks,
        });
      }
      case 'phase':
        return set({ eventCounts, phase: e.phase, phaseDetail: e.detail ?? null });
      case 'progress':
        return set({ eventCounts, progress: { done: e.done, total: e.total, label: e.label, etaSeconds: e.etaSeconds } });
      case 'block-start': {
        const rowAlloc = { ...s.rowAlloc };
        delete rowAlloc[e.block]; // a (re)started block has no rows yet
        return set({
          eventCounts,
          rowAlloc,
          currentBlock: e.block,
          blocks: setBlock(s.blocks, e.block, () => ({ status: 'running', totalSteps: e.totalSteps, steps: [] })),
        });
      }
      case 'step': {
        const p: StepPoint = { step: e.step, recon: e.reconLoss, penalty: e.penalty, total: e.blockSparsity, ...e.layerSparsity };
        if (e.d !== undefined) p.d = e.d;
        return set({
          eventCounts,
          linears: s.linears ?? recordLinearNames(e.layerSparsity),
          blocks: setBlock(s.blocks, e.block, (b) => ({ ...b, totalSteps: e.totalSteps, steps: [...b.steps, p] })),
        });
      }
      case 'rows': {
        const prev = s.rowAlloc[e.block];
        const cur: BlockRows = { step: e.step, rows: e.rows, firstStep: prev?.firstStep ?? e.step, first: prev?.first ?? e.rows };
        return set({ eventCounts, rowAlloc: { ...s.rowAlloc, [e.block]: cur }, linears: s.linears ?? recordLinearNames(e.rows) });
      }
      case 'block-end': {
        const final = {
          layerSparsity: e.layerSparsity,
          blockSparsity: e.blockSparsity,
          learnedSparsity: e.learnedSparsity,
          referenceMaskSparsity: e.referenceMaskSparsity,
          lossBefore: e.lossBefore,
          lossAfter: e.lossAfter,
          seconds: e.seconds,
        };
        return set({
          eventCounts,
          linears: s.linears ?? recordLinearNames(e.layerSparsity),
          blockEta: e.etaSeconds,
          blocks: setBlock(s.blocks, e.block, (b) => ({ ...b, status: 'pruned', final })),
        });
      }
      case 'perplexity':
        return set({
          eventCounts,
          perplexity: { ...s.perplexity, [e.stage]: [...s.perplexity[e.stage].filter((r) => r.dataset !== e.result.dataset), e.result] },
        });
      case 'memory':
        return set({ eventCounts, memory: { liveBytes: e.liveBytes, peakBytes: e.peakBytes } });
      case 'log':
        return set({ eventCounts, logs: [...s.logs, { level: e.level, message: e.message }].slice(-50) });
      case 'run-end': {
        // A cancelled/failed run leaves the block that was in progress dense (pipeline.ts: it is
        // only committed after its mask is applied), so the timeline must say so.
        const blocks = s.blocks.map((b) => (b.status === 'running' ? { ...b, status: 'dense' as const } : b));
        return set({
          eventCounts,
          blocks,
          status: e.status,
          seconds: e.seconds,
          achievedSparsity: e.achievedSparsity ?? null,
          error: e.error ?? null,
          paused: null,
          currentBlock: null,
        });
      }
    }
  },
}));

/** Final allocation per block (measured), or null for blocks not pruned in this run. */
export function allocationOf(b: BlockState): LayerSparsity | null {
  return b.final?.layerSparsity ?? null;
}
