// The pruning methods, one table: everything the pipeline, the CLI, the studio and the report need to
// know about a method lives in its entry, so adding a method is one entry here (plus its block step),
// and capability questions ("does it learn per step? which N:M patterns?") are asked of the entry,
// never by comparing method names.
import { linearNames, linearShapes, recordLinearNames, type ModelSpec } from '../../model/spec';
import type { MethodName, RunConfig, Structure } from '../config';
import type { BlockSummary } from '../summary';
import { besaPipelineStep, oneShotPipelineStep, type BlockStepContext, type BlockStepResult } from './blockStep';
import { magnitudeLinear, sparseGptLinear, wandaLinear } from './oneshot';

/** What a method consumes besides the weights (drives the dense pass and the memory estimate). */
export interface MethodNeeds {
  calibration: boolean; // its decisions depend on calibration data (magnitude's do not)
  wandaScaler: boolean; // dense-pass scaler_row = Σ x² per input feature (docs/besa.md §3)
  hessian: boolean; // dense-pass H = 2XᵀX per linear (docs/besa.md §4)
  gradients: boolean; // backward passes through the block (docs/besa.md §1.7)
}

export interface PruningMethod {
  name: MethodName;
  label: string; // short name: compare rows, messages
  menuLabel: string; // the studio's method menu
  help: string; // plain-words explanation (menu hover)
  needs(cfg: RunConfig): MethodNeeds;
  /** Takes optimiser steps inside a block: pauses at 'block' and 'step', progress per step (else per block). */
  learnsPerStep: boolean;
  structures: readonly Structure[];
  supportsStructure(s: Structure): boolean;
  /** Progress units per block: optimiser steps (BESA) or 1 (one shot). */
  stepsPerBlock(cfg: RunConfig, nsamples: number): number;
  /** Reconstructs the dense chain's output (docs/besa.md §1.6 option), so the pipeline keeps X_fp too. */
  usesDenseChain(cfg: RunConfig): boolean;
  /** Learned parameters it keeps per block (θ), for the memory estimate; 0 for one-shot methods. */
  learnedParams(cfg: RunConfig, spec: ModelSpec): number;
  /** Cross-field rules of its own settings (ranges are in the config schema). */
  validate(cfg: RunConfig, spec: ModelSpec): { problems: string[]; warnings: string[] };
  pruneBlock(ctx: BlockStepContext): Promise<BlockStepResult>;
  /** The report's method.hyperParameters. */
  hyperParameters(cfg: RunConfig): Record<string, unknown>;
  /** Its settings that change the pruned weights: part of the checkpoint key (keep stable: old checkpoints resume). */
  runKeyExtra(cfg: RunConfig): object;
  /** Extra lines for the CLI's end-of-run summary. */
  summaryLines(blocks: readonly BlockSummary[], cfg: RunConfig): string[];
  /** Rank in the CLI comparison: cheapest baseline first, BESA last. */
  compareRank: number;
  /** Offered as a "<label> 2:4" row in the studio's compare mode. */
  studioNMComparison: boolean;
}

const ALL_STRUCTURES: readonly Structure[] = ['unstructured', '2:4', '4:8'];
/** What the one-shot baselines share: every pattern, one unit per block, nothing learned. */
const ONE_SHOT = {
  learnsPerStep: false,
  structures: ALL_STRUCTURES,
  supportsStructure: (s: Structure) => ALL_STRUCTURES.includes(s),
  stepsPerBlock: () => 1,
  usesDenseChain: () => false,
  learnedParams: () => 0,
  validate: () => ({ problems: [], warnings: [] }),
  summaryLines: () => [],
};

/** BESA: what θ learned, what the reference floor rule would have pruned, and what was applied (per block). */
function besaMaskLines(blocks: readonly BlockSummary[], cfg: RunConfig): string[] {
  const lines = [`BESA final mask '${cfg.besa.finalMask}' (block: learned from θ / reference floor(s·C) / applied):`];
  for (const b of blocks) {
    if (!b.expectedSparsity) continue;
    const names = recordLinearNames(b.layers);
    const numel = names.reduce((a, n) => a + b.layers[n].rows * b.layers[n].cols, 0);
    const learned = names.reduce((a, n) => a + b.expectedSparsity![n] * b.layers[n].rows * b.layers[n].cols, 0) / numel;
    lines.push(
      `  block ${b.block}: ${learned.toFixed(4)} / ${b.referenceMaskSparsity?.toFixed(4) ?? '--'} / ${b.blockSparsity.toFixed(4)}`,
    );
  }
  return lines;
}

function besaWarnings(cfg: RunConfig): string[] {
  const b = cfg.besa;
  if (!(b.sigmoid && cfg.sparsity > 0.62)) return [];
  return [
    b.finalMask === 'reference'
      ? `with sigmoid smoothing BESA cannot exceed ~0.624 sparsity per row (spec §1.4): target ${cfg.sparsity} will be missed (faithful to the reference); add --no-sigmoid to reach it`
      : `with sigmoid smoothing BESA cannot learn more than ~0.624 sparsity per row (spec §1.4): the final mask will reach ${cfg.sparsity} only by shifting every row's learned sparsity up; add --no-sigmoid to learn the allocation at this target`,
  ];
}

const BESA: PruningMethod = {
  name: 'besa',
  label: 'BESA',
  menuLabel: 'BESA (learned allocation)',
  help: 'BESA learns how much to prune in each layer (and each row) by minimising the error of the whole block output, one block at a time.',
  needs: (cfg) => ({ calibration: true, wandaScaler: cfg.besa.importance === 'wanda', hessian: false, gradients: true }),
  learnsPerStep: true,
  // docs/besa.md §1.10: the learned allocation is per row, unstructured; there is no N:M variant.
  structures: ['unstructured'],
  supportsStructure: (s) => s === 'unstructured',
  stepsPerBlock: (cfg, nsamples) => cfg.besa.epochs * nsamples,
  usesDenseChain: (cfg) => cfg.besa.target === 'dense-chain',
  learnedParams: (cfg, spec) => {
    const D = Math.round(1 / cfg.besa.candidateStep) + 1;
    const shapes = linearShapes(spec);
    const names = linearNames(spec);
    const rows = names.reduce((a, l) => a + shapes[l][0], 0);
    return (cfg.besa.granularity === 'row' ? rows : names.length) * D;
  },
  validate: (cfg) => ({ problems: [], warnings: besaWarnings(cfg) }),
  pruneBlock: besaPipelineStep,
  hyperParameters: (cfg) => ({ ...cfg.besa, candidates: Math.round(1 / cfg.besa.candidateStep) + 1 }),
  runKeyExtra: (cfg) => cfg.besa,
  summaryLines: besaMaskLines,
  compareRank: 3,
  studioNMComparison: false,
};

const WANDA: PruningMethod = {
  ...ONE_SHOT,
  name: 'wanda',
  label: 'Wanda',
  menuLabel: 'Wanda',
  help: 'Wanda removes, in each output row, the weights with the smallest |weight| × input size. One shot, no learning, same sparsity in every layer.',
  needs: () => ({ calibration: true, wandaScaler: true, hessian: false, gradients: false }),
  pruneBlock: oneShotPipelineStep(wandaLinear),
  hyperParameters: () => ({ comparisonGroup: 'output row' }),
  runKeyExtra: () => ({}),
  compareRank: 1,
  studioNMComparison: true,
};

const SPARSEGPT: PruningMethod = {
  ...ONE_SHOT,
  name: 'sparsegpt',
  label: 'SparseGPT',
  menuLabel: 'SparseGPT',
  help: 'SparseGPT prunes column by column and updates the remaining weights to compensate (second-order, from the input Hessian). One shot.',
  needs: () => ({ calibration: true, wandaScaler: false, hessian: true, gradients: false }),
  pruneBlock: oneShotPipelineStep(sparseGptLinear),
  hyperParameters: (cfg) => ({ percdamp: cfg.sparsegptPercdamp, blocksize: cfg.sparsegptBlocksize }),
  runKeyExtra: (cfg) => ({ percdamp: cfg.sparsegptPercdamp, blocksize: cfg.sparsegptBlocksize }),
  compareRank: 2,
  studioNMComparison: true,
};

const MAGNITUDE: PruningMethod = {
  ...ONE_SHOT,
  name: 'magnitude',
  label: 'Magnitude',
  menuLabel: 'Magnitude',
  help: 'Magnitude removes the weights with the smallest absolute value. The simplest baseline; ignores the data.',
  needs: () => ({ calibration: false, wandaScaler: false, hessian: false, gradients: false }),
  pruneBlock: oneShotPipelineStep(magnitudeLinear),
  hyperParameters: (cfg) => ({ granularity: cfg.magnitudeGranularity }),
  runKeyExtra: (cfg) => ({ granularity: cfg.magnitudeGranularity }),
  compareRank: 0,
  studioNMComparison: false,
};

/** Every method, in menu order (the first is the default). */
export const METHODS: readonly PruningMethod[] = [BESA, WANDA, SPARSEGPT, MAGNITUDE];
export const METHOD_NAMES: readonly MethodName[] = METHODS.map((m) => m.name);
/** The CLI comparison's default order: cheapest baseline first. */
export const COMPARE_ORDER: readonly MethodName[] = [...METHODS].sort((a, b) => a.compareRank - b.compareRank).map((m) => m.name);

export class UnknownMethodError extends Error {
  constructor(name: string) {
    super(`unknown method "${name}"; use one of ${METHOD_NAMES.join(', ')}`);
    this.name = 'UnknownMethodError';
  }
}

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && (METHOD_NAMES as readonly string[]).includes(name);
}

export function methodOf(name: MethodName): PruningMethod {
  const m = METHODS.find((x) => x.name === name);
  if (!m) throw new UnknownMethodError(name);
  return m;
}

/** "a, b, c or d" (CLI messages). */
export function orList(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** Why `method` cannot prune with `structure`, naming both and the way out; null when it can. */
export function structureProblem(method: MethodName, structure: Structure, front: 'cli' | 'studio' = 'cli'): string | null {
  const m = methodOf(method);
  if (m.supportsStructure(structure)) return null;
  const others = METHODS.filter((o) => o.supportsStructure(structure)).map((o) => o.name);
  const why =
    m.structures.length === 1 && m.structures[0] === 'unstructured'
      ? 'learns unstructured sparsities and has no N:M mode (spec §1.10)'
      : `supports only ${m.structures.join(', ')}`;
  if (front === 'studio')
    return `${m.label} ${why}, so pattern ${structure} is refused; set pattern to unstructured${others.length ? `, or pick the method ${orList(others)}` : ''}`;
  return `${m.label} ${why}, so ${structure} is refused; drop --nm (pattern: unstructured)${others.length ? `, or use --method ${others.join('|')} with --nm ${structure}` : ''}`;
}

/** The structure a method's row uses when a comparison asks for `structure`: unstructured if it has no such mode. */
export function structureFor(method: MethodName, structure: Structure): Structure {
  return methodOf(method).supportsStructure(structure) ? structure : 'unstructured';
}
