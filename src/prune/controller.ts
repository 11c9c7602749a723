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

export type ControlMode = 'run' | 'pause' | 'step' | 'block';

/**
 * The standard controller. A run may START in any mode (the studio's step buttons work before a run:
 * "start paused and take one step / one block"). One-shot methods (Wanda / SparseGPT / magnitude)
 * only have the 'step' point at each block start, so for them "step one block" is "step once".
 */
export class RunController implements PruneControl {
  private mode: ControlMode;
  private letBlockPass = false; // run the whole block whose start we are waiting at
  private stepsLeft = 0; // in 'step' mode: optimiser steps still to run before pausing
  private waitingAt: PausePoint | null = null;
  private waiters = new Set<() => void>();
  /** Called with true when the pipeline actually stops at a pause point, false when it moves on. */
  onPauseChange?: (waiting: boolean, point: PausePoint) => void;

  /** oneShot: the method's only pause point is 'step' at each block start (pipeline.ts). */
  /** startSteps: with start 'step', how many steps to run before the first pause (Learn takes several). */
  constructor(
    private readonly oneShot = false,
    start: ControlMode = 'run',
    startSteps = 1,
  ) {
    this.mode = start === 'block' && oneShot ? 'step' : start;
    this.letBlockPass = start === 'block';
    this.stepsLeft = this.mode === 'step' ? (start === 'step' ? Math.max(1, startSteps) : 1) : 0;
  }

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
    this.stepMany(1);
  }

  /** Run `n` optimiser steps (they may cross into the next block), then pause again. */
  stepMany(n: number): void {
    this.mode = 'step';
    this.stepsLeft = Math.max(1, Math.floor(n));
    this.wake();
  }

  /** Run to the end of the current block (or the whole block when waiting at its start), then pause. */
  stepBlock(): void {
    if (this.oneShot) return this.stepOnce();
    this.mode = 'block';
    this.stepsLeft = 0;
    this.letBlockPass = this.waitingAt === 'block';
    this.wake();
  }

  async waitIfPaused(point: PausePoint, signal?: AbortSignal): Promise<void> {
    let waited = false;
    while (!signal?.aborted && !this.pass(point)) {
      if (!waited) {
        this.waitingAt = point;
        this.onPauseChange?.(true, point);
      }
      waited = true;
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
    if (waited) {
      this.waitingAt = null;
      this.onPauseChange?.(false, point);
    }
  }

  /** Decide whether the pipeline may pass this point now (and consume a single-step budget). */
  private pass(point: PausePoint): boolean {
    switch (this.mode) {
      case 'run':
        return true;
      case 'pause':
        return false;
      case 'step':
        if (point === 'step' && --this.stepsLeft <= 0) this.mode = 'pause'; // this step runs; after the last, the next one waits
        return true; // a BESA block start is not a step
      case 'block':
        if (point === 'step') return true;
        if (this.letBlockPass) {
          this.letBlockPass = false;
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
