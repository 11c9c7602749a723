// Typed messages between the studio page and the engine Web Worker (web-llm style: the engine
// never runs on the page's main thread, so the page never freezes during a run).
import type { GpuCapabilities } from '../gpu/capabilities';
import type { SelfCheckResult } from '../gpu/selfCheck';

export type WorkerRequest = { id: number; type: 'init' } | { id: number; type: 'self-check' };

export type WorkerResponse =
  | { id: number; type: 'init-ok'; caps: GpuCapabilities; adapter: string }
  | { id: number; type: 'self-check-ok'; result: SelfCheckResult }
  | { id: number; type: 'error'; errorName: string; message: string };
