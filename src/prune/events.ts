// The typed event stream of a pruning run. The engine emits these; the studio (Worker → zustand
// store → charts) and the CLI (progress bar, report) both consume them. Flow is one way:
// engine → events → store/CLI. Layer order everywhere is linearNames(spec): q k v o gate up down (LLaMA), q k v o fc proj (GPT-2).
import type { LinearName } from '../model/spec';
import type { RunConfig } from './config';

export type LayerSparsity = Record<LinearName, number>;

export interface PerplexityResult {
  dataset: string;
  ppl: number;
  windows: number;
  seqlen: number;
  tokens: number;
}

export type EngineEvent =
  | {
      type: 'run-start';
      runId: string;
      config: RunConfig;
      model: { name: string; sha256: string; nLayers: number; params: number };
      adapter: string;
      startBlock: number;
    }
  | { type: 'phase'; phase: 'calibration' | 'dense-eval' | 'pruning' | 'pruned-eval' | 'export' | 'done'; detail?: string }
  | { type: 'progress'; done: number; total: number; label: string; etaSeconds?: number }
  | { type: 'block-start'; block: number; nBlocks: number; totalSteps: number }
  /** One BESA optimiser step (docs/besa.md §1.7): losses and the expected sparsities from θ. */
  | {
      type: 'step';
      block: number;
      step: number;
      totalSteps: number;
      reconLoss: number;
      penalty: number;
      layerSparsity: LayerSparsity;
      blockSparsity: number;
      d?: number;
    }
  /**
   * Emitted right after each 'step' (same block/step): the per-row expected sparsities s_r behind that
   * step's layerSparsity (docs/besa.md §1.4), [G] per linear (G = rows row-wise, rows/b for blocksize b, 1
   * layer-wise). f64: early steps move rows by ~1e-7, below f32 resolution at 0.5. A separate event so
   * 'step' stays small for consumers that plot means only; consumers keep the latest, not a history.
   */
  | { type: 'rows'; block: number; step: number; rows: Record<LinearName, Float64Array> }
  /** Final state of a block: measured sparsity of the applied masks (zeros counted). */
  | {
      type: 'block-end';
      block: number;
      layerSparsity: LayerSparsity;
      blockSparsity: number;
      /** BESA: block sparsity learned by θ, and what the reference floor(s·C) mask would have pruned. */
      learnedSparsity?: number;
      referenceMaskSparsity?: number;
      lossBefore: number;
      lossAfter: number;
      seconds: number;
      etaSeconds: number;
    }
  | { type: 'perplexity'; stage: 'dense' | 'pruned'; result: PerplexityResult }
  | { type: 'memory'; liveBytes: number; peakBytes: number }
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'run-end'; status: 'completed' | 'cancelled' | 'failed'; seconds: number; error?: string; achievedSparsity?: number };

export type EngineEventListener = (e: EngineEvent) => void;
