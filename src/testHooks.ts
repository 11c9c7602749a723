// The studio's typed test hook (docs/architecture.md §9). With ?e2e-hooks=1 in the page URL (the e2e
// specs open the studio that way) main.tsx installs window.__besaTest and, for the console, the
// stores as window.__besaStore; without the flag neither exists and the Worker refuses test-only
// requests. e2e specs read state through these typed functions inside page.evaluate:
//   page.evaluate(() => window.__besaTest!.runState().blocks.map((b) => b.status))
// The functions run in the page, so a spec's closure may use only its own arguments and window.
import type { StoreApi } from 'zustand/vanilla';
import type { CompareState } from './store/compareStore';
import type { ConfigState } from './store/configStore';
import type { GpuState } from './store/gpuStore';
import type { ModelState } from './store/modelStore';
import type { RunState } from './store/runStore';
import type { UiState } from './store/uiStore';

export interface BesaStores {
  run: StoreApi<RunState>;
  model: StoreApi<ModelState>;
  config: StoreApi<ConfigState>;
  ui: StoreApi<UiState>;
  compare: StoreApi<CompareState>;
  gpu: StoreApi<GpuState>;
}

/** What the Worker reports about itself after handling every message sent before this one. */
export interface WorkerTestState {
  /** A pruning job is in progress (running or parked at a pause point). */
  running: boolean;
}

export interface BesaTestHooks {
  /** Current state of each store (the same objects the charts read; do not mutate). */
  runState(): RunState;
  modelState(): ModelState;
  configState(): ConfigState;
  uiState(): UiState;
  compareState(): CompareState;
  gpuState(): GpuState;
  /**
   * A round trip through the Worker's message queue. Messages are handled in order, so when this
   * resolves the Worker has handled every request the page sent before (e.g. a click's 'run'), and
   * every event it posted before answering has reached the stores.
   */
  workerState(): Promise<WorkerTestState>;
  /** Destroy the GPU device as if the driver had lost it (e2e/studio-device-loss.spec.ts). */
  loseDevice(): Promise<void>;
  /** Worker pushes received and frame deliveries made so far (src/worker/client.ts). */
  pushStats(): { pushes: number; deliveries: number };
  /** Send files straight to the Worker's model loader (e2e/worker-fuzz.spec.ts): loaded, or the error's name. */
  loadFiles(files: File[]): Promise<{ ok: true } | { ok: false; errorName: string; message: string }>;
}

declare global {
  interface Window {
    /** Only with ?e2e-hooks=1 (see the header). */
    __besaTest?: BesaTestHooks;
    /** Only with ?e2e-hooks=1: the stores themselves, for debugging from the console. */
    __besaStore?: BesaStores;
  }
}

/** The page asked for test hooks (?e2e-hooks=1). */
export function testHooksRequested(search: string): boolean {
  return new URLSearchParams(search).get('e2e-hooks') === '1';
}

export function installTestHooks(
  stores: BesaStores,
  worker: Pick<BesaTestHooks, 'workerState' | 'loseDevice' | 'pushStats' | 'loadFiles'>,
): void {
  window.__besaStore = stores;
  window.__besaTest = {
    runState: () => stores.run.getState(),
    modelState: () => stores.model.getState(),
    configState: () => stores.config.getState(),
    uiState: () => stores.ui.getState(),
    compareState: () => stores.compare.getState(),
    gpuState: () => stores.gpu.getState(),
    workerState: worker.workerState,
    loseDevice: worker.loseDevice,
    pushStats: worker.pushStats,
    loadFiles: worker.loadFiles,
  };
}
