// WASM helper threads in Node (CLI, tests, bench): worker_threads Workers running src/wasm/gemmHelper.js.
// The studio's Worker makes its helpers as module Web Workers instead (src/worker/wasmHelpers.ts).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HelperThread, WasmThreading } from './threads';

function spawnNodeHelper(): HelperThread {
  const w = new Worker(new URL('./gemmHelper.js', import.meta.url));
  w.unref(); // a helper never keeps the process alive on its own
  return {
    postMessage: (m) => w.postMessage(m),
    onFirstMessage: (cb) => {
      w.once('message', cb);
      w.once('error', (e) => cb(`failed: ${String(e)}`));
    },
    terminate: () => void w.terminate(),
  };
}

/** `threads` threads (default: every core this process may use). */
export function nodeWasmThreading(threads = availableParallelism()): WasmThreading {
  return { threads, spawn: spawnNodeHelper };
}
