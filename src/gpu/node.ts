// Node-only GPU setup for the CLI, benchmarks and GPU tests: Dawn via the `webgpu` package on a
// Vulkan driver (a software one on GPU-less machines). Never imported by the browser bundle.
import { existsSync } from 'node:fs';
import { acquireDevice, type AcquiredDevice } from './device';
import { loadShadersFromDisk } from './shaderSourcesNode';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let throttled = false;
// The Dawn instance must outlive every device made from it: if it is garbage-collected while a
// device is in use, dawn.node crashes (segfault / futex errors) at the next GPU wait.
const liveInstances: unknown[] = [];

/**
 * dawn.node busy-polls with setImmediate while any GPU promise is pending, burning a whole core
 * (docs/webgpu-notes.md §2). Route setImmediate through setTimeout(0) (~1 kHz polling): on a
 * software driver this roughly doubles kernel throughput because the driver gets the CPU back.
 */
export function applyDawnPollThrottle(): void {
  if (throttled) return;
  throttled = true;
  const g = globalThis as unknown as { setImmediate: (fn: (...a: unknown[]) => void, ...a: unknown[]) => unknown };
  g.setImmediate = (fn, ...args) => setTimeout(fn, 0, ...args);
}

export interface NodeGpuOptions {
  /** Dawn adapter filter, e.g. 'llvmpipe' or 'swiftshader' (substring of the adapter name). */
  adapter?: string;
  throttle?: boolean;
}

export async function acquireNodeDevice(opts: NodeGpuOptions = {}): Promise<AcquiredDevice> {
  // The Vulkan loader reads this when the instance is created; only effective in the main thread.
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  process.env.NODEVICE_SELECT ??= '1';
  if (opts.throttle ?? true) applyDawnPollThrottle();
  const webgpu = await import('webgpu');
  Object.assign(globalThis, webgpu.globals);
  const flags = opts.adapter ? [`adapter=${opts.adapter}`] : [];
  const gpu = webgpu.create(flags) as unknown as GPU;
  liveInstances.push(gpu);
  loadShadersFromDisk();
  return acquireDevice(gpu);
}
