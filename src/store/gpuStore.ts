// GPU status slice: filled from Worker responses, read by components through selectors.
import { createStore } from 'zustand/vanilla';
import type { GpuCapabilities } from '../gpu/capabilities';
import type { SelfCheckResult } from '../gpu/selfCheck';
import type { EngineDecision } from '../prune/engineChoice';

export type GpuStatus =
  | { kind: 'probing' }
  | { kind: 'unavailable'; reason: string; errorName: string }
  /** The Worker is up. adapter/caps null: no WebGPU (gpuError says why), the jobs run on WASM or the CPU. */
  | { kind: 'ready'; adapter: string | null; caps: GpuCapabilities | null; gpuError: string | null; wasm: boolean };

export interface GpuState {
  status: GpuStatus;
  selfCheck: SelfCheckResult | null;
  selfCheckError: string | null;
  /** The Worker's GPU allocation ledger (live / peak bytes), polled by the header. */
  memory: { liveBytes: number; peakBytes: number } | null;
  /** The Worker's device-lost message: stays until the reload, since nothing on the GPU works after it. */
  deviceLost: string | null;
  /** The engine the Worker decided on for the loaded model, with the reason (header, method panel). */
  engine: EngineDecision | null;
  /** Why the last engine choice failed (e.g. webgpu picked where there is none). */
  engineError: string | null;
  setEngine(engine: EngineDecision | null, error?: string | null): void;
  setDeviceLost(message: string): void;
  setMemory(m: { liveBytes: number; peakBytes: number }): void;
  setStatus(s: GpuStatus): void;
  setSelfCheck(r: SelfCheckResult | null, error?: string | null): void;
}

export const gpuStore = createStore<GpuState>()((set) => ({
  status: { kind: 'probing' },
  selfCheck: null,
  selfCheckError: null,
  memory: null,
  deviceLost: null,
  engine: null,
  engineError: null,
  setEngine: (engine, engineError = null) => set({ engine, engineError }),
  setDeviceLost: (deviceLost) => set({ deviceLost }),
  setMemory: (memory) => set({ memory }),
  setStatus: (status) => set({ status }),
  setSelfCheck: (selfCheck, selfCheckError = null) => set({ selfCheck, selfCheckError }),
}));
