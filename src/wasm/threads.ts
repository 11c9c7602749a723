// WASM threads (docs/wasm.md §5): helper threads that run the shared-memory build of the kernel on the
// same arrays, so one product is split by 16-column panels over the calling thread and the helpers.
// The calling thread (the engine's Web Worker, or Node's main thread) blocks in Atomics.wait until
// every helper is done, so the ops stay synchronous like the reference ops they replace.
//
// The host makes the threads (a module Web Worker in the studio, worker_threads in Node) and hands a
// HelperSpawner in; this module only speaks to them through the control block in shared memory
// (slot layout in src/wasm/gemmHelper.js).

/** A helper thread as the host made it, running src/wasm/gemmHelper.js. */
export interface HelperThread {
  postMessage(message: unknown): void;
  /** Calls back once with the helper's first message ('ready' or 'failed: …') or its start error. */
  onFirstMessage(cb: (message: unknown) => void): void;
  terminate(): void;
}
export type HelperSpawner = () => HelperThread;

/** How many threads the WASM engine may use, and how the host starts a helper. */
export interface WasmThreading {
  threads: number;
  spawn: HelperSpawner;
  /** Products with fewer multiply-adds run on the calling thread alone (default 2^20; tests use 0). */
  minMacs?: number;
}

export class WasmThreadError extends Error {
  override name = 'WasmThreadError';
}

/** Bytes of the control block; helpers are limited so their slots fit. */
export const CONTROL_BYTES = 512;
export const MAX_HELPERS = 32;
const SEQ = 0;
const DONE = 1;
const QUIT = 2;
const FAILED = 3;
const JOB = 4;
const RANGES = 16;
/** A helper that does not finish its part in this long has died (killed, out of memory). */
const JOIN_TIMEOUT_MS = 120_000;

/** One product, as gemmPanels takes it (pointers in bytes, strides in elements). */
export type GemmJob = [M: number, N: number, K: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number, c: number, ldc: number, flags: number];

export class GemmThreadPool {
  private constructor(
    private readonly ctl: Int32Array,
    private readonly helpers: HelperThread[],
  ) {}

  /** Start `count` helpers on the compiled shared module; resolves once every one is ready. */
  static async start(module: object, memory: object & { buffer: ArrayBufferLike }, ctlPtr: number, count: number, spawn: HelperSpawner): Promise<GemmThreadPool> {
    const n = Math.min(count, MAX_HELPERS);
    const helpers = Array.from({ length: n }, () => spawn());
    const ready = helpers.map(
      (h, index) =>
        new Promise<void>((resolve, reject) => {
          h.onFirstMessage((m) => (m === 'ready' ? resolve() : reject(new WasmThreadError(`WASM helper thread ${index} did not start: ${String(m)}`))));
          h.postMessage({ module, memory, ctl: ctlPtr, index });
        }),
    );
    try {
      await Promise.all(ready);
    } catch (e) {
      for (const h of helpers) h.terminate();
      throw e;
    }
    return new GemmThreadPool(new Int32Array(memory.buffer, ctlPtr, CONTROL_BYTES / 4), helpers);
  }

  get size(): number {
    return this.helpers.length;
  }

  /**
   * Run `job` with helper h computing panels ranges[h] = [scratch, p0, p1] while `own` runs the
   * calling thread's part; returns when all parts are done.
   */
  run(job: GemmJob, ranges: [number, number, number][], own: () => void): void {
    const c = this.ctl;
    c.set(job, JOB);
    for (let h = 0; h < this.helpers.length; h++) c.set(ranges[h] ?? [0, 0, 0], RANGES + 3 * h);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, FAILED, 0);
    Atomics.add(c, SEQ, 1);
    Atomics.notify(c, SEQ);
    let ownError: unknown = null;
    try {
      own();
    } catch (e) {
      ownError = e;
    }
    const deadline = Date.now() + JOIN_TIMEOUT_MS;
    for (let d = Atomics.load(c, DONE); d < this.helpers.length; d = Atomics.load(c, DONE)) {
      if (Date.now() > deadline) throw new WasmThreadError(`a WASM helper thread did not finish within ${JOIN_TIMEOUT_MS / 1000} s; reload, or choose fewer threads`);
      Atomics.wait(c, DONE, d, 1000);
    }
    if (ownError) throw ownError;
    if (Atomics.load(c, FAILED)) throw new WasmThreadError('a WASM helper thread failed in the matrix product (a trap in the kernel)');
  }

  dispose(): void {
    Atomics.store(this.ctl, QUIT, 1);
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
    for (const h of this.helpers) h.terminate();
    this.helpers.length = 0;
  }
}

/** Balanced split of P panels over t threads: thread i takes [⌊iP/t⌋, ⌊(i+1)P/t⌋). */
export function splitPanels(P: number, t: number): [number, number][] {
  return Array.from({ length: t }, (_, i) => [Math.floor((i * P) / t), Math.floor(((i + 1) * P) / t)]);
}
