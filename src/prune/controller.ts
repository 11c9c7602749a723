// Pause / single-step controls for a running job (studio: pause, step one optimiser iteration, step
// one block). The pipeline awaits waitIfPaused() at every pause point; the UI calls the methods below
// (from the Worker's message handler). Cancellation is separate (AbortSignal) and always wins.
//   'step'  point: before each BESA optimiser step, and at the start of each block of a one-shot method
//   'block' point: at the start of each block (BESA)

export type PausePoint = 'step' | 'block';

/** What the pipeline needs; implement it however the host likes. */
export interface PruneControl {
  waitIfPaused(point: PausePoint, signal?: AbortSignal): Promise<void>;
}

type Mode = 'run' | 'pause' | 'step' | 'block';

export class RunController implements PruneControl {
  private mode: Mode = 'run';
  private freshBlock = false; // stepBlock() pressed while waiting at a block start: let that start pass
  private waitingAt: PausePoint | null = null;
  private waiters = new Set<() => void>();
  /** Called with true when the pipeline actually stops at a pause point, false when it moves on. */
  onPauseChange?: (waiting: boolean, point: PausePoint) => void;

  get paused(): boolean {
    return this.mode === 'pause';
  }

  pause(): void {
    this.mode = 'pause';
  }

  resume(): void {
    this.mode = 'run';
    this.wake();
  }

  /** Run exactly one optimiser step (one block for one-shot methods), then pause again. */
  stepOnce(): void {
    this.mode = 'step';
    this.wake();
  }

  /** Run to the end of the current block (or through the next block, when paused at a block start), then pause. */
  stepBlock(): void {
    this.mode = 'block';
    this.freshBlock = this.waitingAt === 'block';
    this.wake();
  }

  async waitIfPaused(point: PausePoint, signal?: AbortSignal): Promise<void> {
    let waited = false;
    for (;;) {
      if (signal?.aborted || this.pass(point)) break;
      if (!waited) this.onPauseChange?.(true, point);
      waited = true;
      this.waitingAt = point;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.waiters.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.waiters.add(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    this.waitingAt = null;
    if (waited) this.onPauseChange?.(false, point);
  }

  /** Decide whether the pipeline may pass this point now (and consume a single-step budget). */
  private pass(point: PausePoint): boolean {
    switch (this.mode) {
      case 'run':
        return true;
      case 'pause':
        return false;
      case 'step':
        if (point === 'step') this.mode = 'pause'; // this step runs, the next one waits
        return true; // a block start is not a step
      case 'block':
        if (point === 'step') return true;
        if (this.freshBlock) {
          this.freshBlock = false;
          return true;
        }
        this.mode = 'pause'; // the block that was stepped has finished
        return false;
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
