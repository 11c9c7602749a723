// A helper thread of the WASM engine (docs/wasm.md §5, src/wasm/threads.ts). Plain JavaScript so that
// the same file runs as a module Web Worker in the studio (bundled by Vite) and as a worker_threads
// Worker in Node (CLI, tests, bench) without a build step.
//
// The owner posts one message { module, memory, ctl, index }: the compiled shared-memory kernel, the
// shared WebAssembly.Memory and the byte address of the control block. After 'ready', nothing goes
// through messages: the owner writes a product's parameters into the control block and bumps its
// sequence number; this thread wakes, computes its range of column panels into the shared memory,
// counts itself done and sleeps again. Control block (Int32 slots, see threads.ts): 0 sequence,
// 1 done count, 2 quit, 3 failed, 4..15 the product, 16 + 3·index its scratch, p0, p1.

const isNode = typeof self === 'undefined' && typeof process !== 'undefined';
const workerThreads = 'node:worker_threads';
const port = isNode ? (await import(/* @vite-ignore */ workerThreads)).parentPort : self;

function serve({ module, memory, ctl, index }) {
  return WebAssembly.instantiate(module, { env: { memory, abort: () => { throw new Error('wasm gemm aborted'); } } }).then(
    (instance) => {
      const c = new Int32Array(memory.buffer, ctl, 128);
      const mine = 16 + 3 * index;
      // Read the sequence number BEFORE saying ready: the owner may start a product the moment it hears
      // 'ready', and a helper that read it after would sleep through that product (a deadlock).
      let seen = Atomics.load(c, 0);
      port.postMessage('ready');
      for (;;) {
        Atomics.wait(c, 0, seen);
        seen = Atomics.load(c, 0);
        if (Atomics.load(c, 2)) return;
        try {
          if (c[mine + 2] > c[mine + 1])
            instance.exports.gemmPanels(c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15], c[mine], c[mine + 1], c[mine + 2]);
        } catch {
          Atomics.store(c, 3, 1); // the owner throws WasmThreadError after the join
        }
        Atomics.add(c, 1, 1);
        Atomics.notify(c, 1);
      }
    },
    (e) => port.postMessage(`failed: ${e}`),
  );
}

if (isNode) port.once('message', serve);
else self.onmessage = (e) => void serve(e.data);
