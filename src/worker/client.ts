// Page-side client of the engine Worker: request/response by id, plus a listener for the Worker's
// unsolicited pushes (engine events, pause state, reports) which carry id 0.
// Pushes are delivered once per animation frame, all that arrived since, in order (docs/speed.md §7): a fast
// run posts several step/rows events per frame, and each delivered alone would be its own store update and
// React render. A response first delivers every push that came before it, so a request that resolves still
// means the stores have seen everything the Worker posted before answering (e2e/studio-helpers.ts relies on it).
import type { WorkerPush, WorkerRequest, WorkerResponse } from './protocol';

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class EngineClient {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners = new Set<(p: WorkerPush) => void>();
  private queued: WorkerPush[] = [];
  private scheduled = false;
  /** Pushes received and deliveries made (a delivery hands over every queued push): read by the e2e hook. */
  readonly pushStats = { pushes: 0, deliveries: 0 };

  constructor() {
    this.worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (ev: MessageEvent<WorkerResponse | WorkerPush>) => {
      const msg = ev.data;
      if (msg.id === 0) {
        this.queue(msg as WorkerPush);
        return;
      }
      this.deliver();
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.type === 'error') {
        const err = new Error(msg.message);
        err.name = msg.errorName;
        p.reject(err);
      } else p.resolve(msg as WorkerResponse);
    };
    // A Worker script that fails to load or throws at the top level answers nothing: fail the waiting
    // requests with a named error instead of leaving the page waiting forever.
    this.worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      const err = new Error(`the engine Worker failed to start: ${ev.message || 'script error'}. Reload the page.`);
      err.name = 'EngineWorkerError';
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  request<T extends WorkerResponse['type']>(req: DistributiveOmit<WorkerRequest, 'id'>): Promise<Extract<WorkerResponse, { type: T }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: WorkerResponse) => void, reject });
      this.worker.postMessage({ ...req, id } as WorkerRequest);
    });
  }

  private queue(p: WorkerPush): void {
    this.pushStats.pushes++;
    this.queued.push(p);
    if (this.scheduled) return;
    this.scheduled = true;
    // a hidden tab gets no animation frames: the timer keeps pushes flowing (at most 4 deliveries a second)
    const timer = setTimeout(() => this.deliver(), 250);
    const raf = globalThis.requestAnimationFrame;
    if (raf)
      raf(() => {
        clearTimeout(timer);
        this.deliver();
      });
  }

  /** Hand every queued push to the listeners, in arrival order. */
  private deliver(): void {
    this.scheduled = false;
    if (this.queued.length === 0) return;
    const batch = this.queued;
    this.queued = [];
    this.pushStats.deliveries++;
    for (const p of batch) for (const l of this.listeners) l(p);
  }

  onPush(listener: (p: WorkerPush) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  terminate(): void {
    this.worker.terminate();
  }
}
