/// <reference lib="webworker" />
// The engine's Web Worker: owns the GPU device and runs engine work off the page's main thread.
import '../gpu/shaderSourcesBrowser';
import { adapterLabel } from '../gpu/capabilities';
import { acquireDevice } from '../gpu/device';
import { GpuRuntime } from '../gpu/runtime';
import { runMatmulSelfCheck } from '../gpu/selfCheck';
import type { WorkerRequest, WorkerResponse } from './protocol';

let runtime: GpuRuntime | null = null;

async function getRuntime(): Promise<GpuRuntime> {
  if (!runtime) runtime = new GpuRuntime(await acquireDevice(navigator.gpu));
  return runtime;
}

function reply(msg: WorkerResponse): void {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(msg);
}

self.onmessage = async (ev: MessageEvent<WorkerRequest>) => {
  const req = ev.data;
  try {
    if (req.type === 'init') {
      const rt = await getRuntime();
      reply({ id: req.id, type: 'init-ok', caps: rt.caps, adapter: adapterLabel(rt.caps) });
    } else if (req.type === 'self-check') {
      const rt = await getRuntime();
      reply({ id: req.id, type: 'self-check-ok', result: await runMatmulSelfCheck(rt) });
    }
  } catch (e) {
    const err = e as Error;
    reply({ id: req.id, type: 'error', errorName: err?.name ?? 'Error', message: err?.message ?? String(e) });
  }
};
