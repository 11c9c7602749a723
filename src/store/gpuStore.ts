// GPU status slice: filled from Worker responses, read by components through selectors.
import { createStore } from 'zustand/vanilla';
import type { GpuCapabilities } from '../gpu/capabilities';
import type { SelfCheckResult } from '../gpu/selfCheck';

export type GpuStatus =
  | { kind: 'probing' }
  | { kind: 'unavailable'; reason: string; errorName: string }
  | { kind: 'ready'; adapter: string; caps: GpuCapabilities };

export interface GpuState {
  status: GpuStatus;
  selfCheck: SelfCheckResult | null;
  selfCheckError: string | null;
  /** The Worker's GPU allocation ledger (live / peak bytes), polled by the header. */
  memory: { liveBytes: number; peakBytes: number } | null;
  /** The Worker's device-lost message: stays until the reload, since nothing on the GPU works after it. */
  deviceLost: string | null;
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
  setDeviceLost: (deviceLost) => set({ deviceLost }),
  setMemory: (memory) => set({ memory }),
  setStatus: (status) => set({ status }),
  setSelfCheck: (selfCheck, selfCheckError = null) => set({ selfCheck, selfCheckError }),
}));
