// Typed messages between the studio page and the engine Web Worker (web-llm style: the engine
// never runs on the page's main thread, so the page never freezes during a run).
//   page → worker: WorkerRequest (every request gets exactly one response with the same id)
//   worker → page: WorkerResponse, plus WorkerPush (id 0, unsolicited): engine events, pause state,
//                  memory, the run report. The run data in the stores comes ONLY from EngineEvents.
import type { GpuCapabilities } from '../gpu/capabilities';
import type { LedgerSnapshot } from '../gpu/ledger';
import type { SelfCheckResult } from '../gpu/selfCheck';
import type { ExportFormat } from '../model/export';
import type { LinearName, ModelSpec } from '../model/spec';
import type { RunConfig } from '../prune/config';
import type { EngineDecision, EngineRequest } from '../prune/engineChoice';
import type { EngineEvent } from '../prune/events';
import type { RunReport } from '../prune/report';

/** Where a model comes from: a URL folder under public/ (default models), user-picked files, or a hub id/URL. */
export type ModelSourceRequest =
  { kind: 'url'; base: string; files: string[] } | { kind: 'files'; files: File[] } | { kind: 'hub'; input: string };

/** What the Model panel shows about a loaded model (all numbers measured from the weights). */
export interface ModelCard {
  name: string;
  format: 'hf' | 'llama2c';
  spec: ModelSpec;
  params: number;
  linearParams: number; // the 7 prunable linears of all blocks
  /** Zeros / numel over the prunable linears (non-zero for an already pruned / exported model). */
  linearSparsity: number;
  weightsSha256: string;
  weightFiles: string[];
  readme: string | null;
  largestTensorBytes: number;
  /** Bytes the loaded weight matrices hold as stored (bf16 checkpoints: half of f32), and of which the 7 linears. */
  storedBytes: number;
  storedLinearBytes: number;
}

/** Unfinished run found in IndexedDB (written after every completed block). */
export interface CheckpointInfo {
  runKey: string;
  modelSha256: string;
  modelName: string;
  config: RunConfig;
  completed: number;
  nBlocks: number;
  savedAt: string;
  /** Block `completed` was stopped between optimiser steps: how far it got (issue #14). */
  partial?: { step: number; totalSteps: number };
}

/** How the run starts: straight through, or paused / single-stepping from the first block. */
export type StartMode = 'run' | 'pause' | 'step' | 'block';
export type ControlAction = 'pause' | 'resume' | 'step' | 'block';

export type WorkerRequest =
  /**
   * testHooks: the page was opened with ?e2e-hooks=1 (e2e tests); arms 'test-lose-device' and 'test-state',
   * and makes the WASM engine split even the micro model's small products over its threads.
   */
  | { id: number; type: 'init'; testHooks?: boolean }
  | { id: number; type: 'self-check' }
  | { id: number; type: 'load-model'; source: ModelSourceRequest }
  | {
      id: number;
      type: 'run';
      config: RunConfig;
      resume: boolean;
      startMode: StartMode;
      /** With startMode 'step': how many optimiser steps before the first pause (default 1). */
      steps?: number;
      label?: string;
      engine: EngineRequest;
    }
  /** Decide the loaded model's engine (after a load, or a new choice in the method panel). */
  | { id: number; type: 'set-engine'; engine: EngineRequest }
  /** count: with action 'step', how many optimiser steps to take before pausing again (default 1). */
  | { id: number; type: 'control'; action: ControlAction; count?: number }
  | { id: number; type: 'cancel' }
  | { id: number; type: 'reset' }
  | { id: number; type: 'mask'; block: number; layer: LinearName }
  | { id: number; type: 'generate'; prompt: string; maxNewTokens: number; seed: number; temperature: number; runIds: string[] }
  | { id: number; type: 'export-model'; runId?: string; format?: ExportFormat }
  | { id: number; type: 'memory' }
  /** Time one dense block forward of the loaded model at seqlen on the engine asked for (the time estimate). */
  | { id: number; type: 'time-probe'; seqlen: number; engine: EngineRequest }
  /** e2e only: destroy the device as if the driver had lost it (refused unless init armed testHooks). */
  | { id: number; type: 'test-lose-device' }
  /** e2e only: a round trip that reports whether a job is in progress (refused unless init armed testHooks). */
  | { id: number; type: 'test-state' };

export interface MaskImage {
  block: number;
  layer: LinearName;
  rows: number;
  cols: number;
  /** 1 = weight is zero (pruned), [rows, cols] row-major. */
  pruned: Uint8Array;
  /** Whether the block is pruned in the result (false: the dense block, nothing is zero). */
  fromRun: string | null;
}

export interface Generation {
  label: string; // 'dense' or the run's label
  runId: string | null;
  text: string;
  tokens: number;
}

export type WorkerResponse =
  /** caps/adapter null: no WebGPU here (gpuError says why); wasm: WebAssembly SIMD works. */
  | { id: number; type: 'init-ok'; caps: GpuCapabilities | null; adapter: string | null; gpuError: string | null; wasm: boolean }
  | { id: number; type: 'engine-ok'; decision: EngineDecision }
  | { id: number; type: 'self-check-ok'; result: SelfCheckResult }
  | { id: number; type: 'model-ok'; card: ModelCard; checkpoint: CheckpointInfo | null }
  | { id: number; type: 'run-ok'; runId: string; status: 'completed' | 'cancelled' | 'failed'; checkpoint?: CheckpointInfo | null }
  | { id: number; type: 'ok' }
  | { id: number; type: 'mask-ok'; mask: MaskImage }
  | { id: number; type: 'generate-ok'; prompt: string; generations: Generation[] }
  | { id: number; type: 'export-ok'; files: Record<string, Uint8Array> }
  | { id: number; type: 'memory-ok'; snapshot: LedgerSnapshot | null }
  | { id: number; type: 'time-probe-ok'; msPerBlockForward: number; seqlen: number; engine: string }
  | { id: number; type: 'test-state-ok'; running: boolean }
  | { id: number; type: 'error'; errorName: string; message: string };

export type WorkerPush =
  | { id: 0; type: 'event'; event: EngineEvent }
  | { id: 0; type: 'paused'; waiting: boolean; point: 'step' | 'block' }
  | { id: 0; type: 'report'; report: RunReport; label: string }
  | { id: 0; type: 'device-lost'; message: string }
  /** The engine the Worker runs on now, and why (after a load, a menu change or a run's request). */
  | { id: 0; type: 'engine'; decision: EngineDecision }
  /** A hub download's progress (at most every 100 ms per file, and its last byte). */
  | { id: 0; type: 'download'; file: string; loaded: number; total: number | null; cached: boolean };
