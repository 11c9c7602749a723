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

/** Up to 8 threads: one per logical core the browser reports, minus one for the page itself. */
export function browserWasmThreading(): WasmThreading {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 1 : 1;
  return { threads: Math.max(1, Math.min(8, cores - 1)), spawn: spawnBrowserHelper };
}
