// The run report: everything needed to reproduce and judge a run (docs/architecture.md §7: reproducibility):
// model + sha256, data, seqlen, nsamples, seed, method + hyper-parameters, per-block per-layer
// allocation (zeros counted), achieved sparsity, perplexities with windows/seqlen, wall time, adapter,
// peak GPU bytes. JSON for machines, CSV of the allocation for spreadsheets.
import type { StoredBytes } from '../model/export';
import { blockLinearNames, linearOf, recordLinearNames, type ModelSpec, type StoredWeights } from '../model/spec';
import type { BlockExecutor } from './executor';
import type { RunConfig } from './config';
import { methodOf } from './methods/registry';
import type { PerplexityResult } from './events';
import type { RunTrace } from './reportTrace';
import { overallSparsity, type BlockSummary } from './summary';

export const REPORT_SCHEMA = 'besa-studio/run-report@1';

export interface ReportPerplexity extends PerplexityResult {
  /** True when only the first evalWindows windows were used (not the full protocol number). */
  truncated: boolean;
}

export interface RunReport {
  schema: typeof REPORT_SCHEMA;
  runId: string;
  status: 'completed' | 'cancelled' | 'failed';
  createdAt: string; // ISO time the run finished
  model: {
    name: string;
    sha256: string;
    family: string;
    params: number;
    nLayers: number;
    dim: number;
    ffnDim: number;
    nHeads: number;
    nKvHeads: number;
    vocabSize: number;
  };
  data: {
    calibration: string;
    nsamples: number;
    seqlen: number;
    seed: number;
    calibrationTokens: number;
    calibrationStarts: number[];
    evalSeqlen: number;
    evalDatasets: string[];
    evalWindows: number;
  };
  method: {
    name: RunConfig['method'];
    structure: RunConfig['structure'];
    targetSparsity: number;
    hyperParameters: Record<string, unknown>;
  };
  config: RunConfig;
  startBlock: number;
  completedBlocks: number;
  allocation: BlockSummary[];
  /** Zeros / numel over the 7 linears of every completed block (docs/besa.md §1.8: measured, not expected). */
  achievedSparsity: number;
  perplexity: { dense: ReportPerplexity[]; pruned: ReportPerplexity[] };
  /** model.safetensors bytes of the pruned model per export format, run metadata aside (null: not 2:4 sparse). */
  storage: StoredBytes;
  /** The optimiser steps per block, for the charts of a report opened later (absent in older reports). */
  trace?: RunTrace;
  timing: { wallSeconds: number; pruneSeconds: number; evalSeconds: number; meanBlockSeconds: number };
  device: { executor: BlockExecutor['kind']; adapter: string; peakGpuBytes: number | null };
  error?: string;
}

export function countParams(spec: ModelSpec, w: StoredWeights): number {
  let n = w.embed.length + w.finalNorm.length + (spec.tiedEmbeddings ? 0 : w.lmHead.length);
  n += (w.posEmbed?.length ?? 0) + (w.finalNormBias?.length ?? 0);
  for (const b of w.blocks) {
    n += b.attnNorm.length + b.mlpNorm.length + (b.attnNormBias?.length ?? 0) + (b.mlpNormBias?.length ?? 0);
    for (const name of blockLinearNames(b)) {
      const l = linearOf(b, name);
      n += l.w.length + (l.b?.length ?? 0);
    }
  }
  return n;
}

export function methodHyperParameters(cfg: RunConfig): Record<string, unknown> {
  return methodOf(cfg.method).hyperParameters(cfg);
}

export interface ReportInput {
  runId: string;
  status: RunReport['status'];
  model: { name: string; weightsSha256: string; spec: ModelSpec; weights: StoredWeights };
  config: RunConfig;
  calibrationTokens: number;
  /** Token offset of every calibration window in the tokenised corpus (data/windows.ts sampleCalibration). */
  calibrationStarts: number[];
  evalSeqlen: number;
  evalDatasets: string[];
  startBlock: number;
  completedBlocks: number;
  blocks: BlockSummary[];
  dense: ReportPerplexity[];
  pruned: ReportPerplexity[];
  storage: StoredBytes;
  trace?: RunTrace;
  wallSeconds: number;
  pruneSeconds: number;
  evalSeconds: number;
  executor: BlockExecutor['kind'];
  adapter: string;
  peakGpuBytes: number | null;
  error?: string;
}

export function buildReport(r: ReportInput): RunReport {
  const s = r.model.spec;
  const cfg = r.config;
  const report: RunReport = {
    schema: REPORT_SCHEMA,
    runId: r.runId,
    status: r.status,
    createdAt: new Date().toISOString(),
    model: {
      name: r.model.name,
      sha256: r.model.weightsSha256,
      family: s.family,
      params: countParams(s, r.model.weights),
      nLayers: s.nLayers,
      dim: s.dim,
      ffnDim: s.ffnDim,
      nHeads: s.nHeads,
      nKvHeads: s.nKvHeads,
      vocabSize: s.vocabSize,
    },
    data: {
      calibration: cfg.calibration,
      nsamples: cfg.nsamples,
      seqlen: cfg.seqlen,
      seed: cfg.seed,
      calibrationTokens: r.calibrationTokens,
      calibrationStarts: r.calibrationStarts,
      evalSeqlen: r.evalSeqlen,
      evalDatasets: r.evalDatasets,
      evalWindows: cfg.evalWindows,
    },
    method: { name: cfg.method, structure: cfg.structure, targetSparsity: cfg.sparsity, hyperParameters: methodHyperParameters(cfg) },
    config: cfg,
    startBlock: r.startBlock,
    completedBlocks: r.completedBlocks,
    allocation: r.blocks,
    achievedSparsity: overallSparsity(r.blocks),
    perplexity: { dense: r.dense, pruned: r.pruned },
    storage: r.storage,
    ...(r.trace ? { trace: r.trace } : {}),
    timing: {
      wallSeconds: r.wallSeconds,
      pruneSeconds: r.pruneSeconds,
      evalSeconds: r.evalSeconds,
      meanBlockSeconds: r.blocks.length ? r.blocks.reduce((a, b) => a + b.seconds, 0) / r.blocks.length : 0,
    },
    device: { executor: r.executor, adapter: r.adapter, peakGpuBytes: r.peakGpuBytes },
  };
  if (r.error) report.error = r.error;
  return report;
}

/** One row per (block, linear): the learned/assigned allocation, measured. */
export function allocationCsv(report: RunReport): string {
  // expected_sparsity: learned from θ (BESA); reference_block_sparsity: what floor(s·C) would have pruned in the block
  const rows = ['block,layer,rows,cols,numel,zeros,sparsity,expected_sparsity,reference_block_sparsity'];
  for (const b of report.allocation)
    for (const n of recordLinearNames(b.layers)) {
      const l = b.layers[n];
      const numel = l.rows * l.cols;
      const exp = b.expectedSparsity ? b.expectedSparsity[n].toFixed(6) : '';
      const ref = b.referenceMaskSparsity !== undefined ? b.referenceMaskSparsity.toFixed(6) : '';
      rows.push(`${b.block},${n},${l.rows},${l.cols},${numel},${l.zeros},${(l.zeros / numel).toFixed(6)},${exp},${ref}`);
    }
  return rows.join('\n') + '\n';
}

/** Plain-text allocation table (CLI): one line per block, one column per linear + the block. */
export function allocationTable(blocks: readonly BlockSummary[]): string {
  const names = blocks.length ? recordLinearNames(blocks[0].layerSparsity) : [];
  const head = ['block', ...names, 'block'].map((h) => h.padStart(7)).join(' ');
  const lines = blocks.map((b) =>
    [
      String(b.block).padStart(7),
      ...names.map((n) => b.layerSparsity[n].toFixed(4).padStart(7)),
      b.blockSparsity.toFixed(4).padStart(7),
    ].join(' '),
  );
  return [head, ...lines].join('\n');
}

/** Dense vs compressed bytes of the pruned model (issue #16), e.g. "stored bytes: dense 2.10 MiB, sparse-bitmask 1.18 MiB (0.56×), …". */
export function storageLine(s: StoredBytes): string {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 2 : 1)} MiB`;
  const of = (b: number | null, why: string) => (b === null ? why : `${mb(b)} (${(b / s.dense).toFixed(2)}×)`);
  if (s['sparse-bitmask'] === null) return `stored bytes: dense ${mb(s.dense)} (Conv1D layers: no compressed-tensors sparse format)`;
  return `stored bytes: dense ${mb(s.dense)}, sparse-bitmask ${of(s['sparse-bitmask'], '')}, sparse-24-bitmask ${of(s['sparse-24-bitmask'], 'not 2:4 sparse')}`;
}
