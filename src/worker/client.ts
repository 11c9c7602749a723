// Page-side client of the engine Worker: request/response by id.
import type { WorkerRequest, WorkerResponse } from './protocol';

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void };

export class EngineClient {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();

  constructor() {
    this.worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module' });
    this.worker.onmessage = (ev: MessageEvent<WorkerResponse>) => {
      const p = this.pending.get(ev.data.id);
      if (!p) return;
      this.pending.delete(ev.data.id);
      if (ev.data.type === 'error') {
        const err = new Error(ev.data.message);
        err.name = ev.data.errorName;
        p.reject(err);
      } else p.resolve(ev.data);
    };
  }

  request<T extends WorkerResponse['type']>(req: Omit<WorkerRequest, 'id'>): Promise<Extract<WorkerResponse, { type: T }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: WorkerResponse) => void, reject });
      this.worker.postMessage({ ...req, id } as WorkerRequest);
    });
  }

  terminate(): void {
    this.worker.terminate();
  }
}
