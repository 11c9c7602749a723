// WASM helper threads in the studio: module Web Workers started from the engine's Worker (nested
// workers), running src/wasm/gemmHelper.js; Vite bundles that file as a worker of its own. Threads
// need a cross-origin isolated page (COOP/COEP, vite.config.ts); without it the engine runs on one
// thread and the decision says so (src/wasm/kernels.ts).
import type { HelperThread, WasmThreading } from '../wasm/threads';

function spawnBrowserHelper(): HelperThread {
  const w = new Worker(new URL('../wasm/gemmHelper.js', import.meta.url), { type: 'module' });
  return {
    postMessage: (m) => w.postMessage(m),
    onFirstMessage: (cb) => {
      w.onmessage = (e: MessageEvent) => cb(e.data);
      w.onerror = (e) => cb(`failed: ${e.message || 'the helper script did not load'}`);
    },
    terminate: () => w.terminate(),
  };
}

/**
 * One thread per logical core the browser reports, up to 8 (this Worker computes too; the page's own
 * thread is idle while a job runs, so it needs no core of its own).
 */
export function browserWasmThreading(): WasmThreading {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 1 : 1;
  return { threads: Math.max(1, Math.min(8, cores)), spawn: spawnBrowserHelper };
}
