// The Worker's pause / single-step controller (implements the pipeline's PruneControl).
// Why not src/prune/controller.ts's RunController: the pipeline has no pause point before BESA step 0
// (beforeStep only waits for s > 0), so "step one iteration" from a block start ran two steps, and
// "step one block" pressed mid-block also let the NEXT block boundary pass. Semantics here:
//   step  : exactly one optimiser step (one block for one-shot methods, whose only point is 'step')
//   block : finish the current block (or, when waiting at a block start, run that whole block), then pause
// Cancellation (AbortSignal) always wins: an aborted signal releases every wait.
import type { PausePoint, PruneControl } from '../prune/controller';

type Mode = 'run' | 'pause' | 'step' | 'block';

export class StudioController implements PruneControl {
  private mode: Mode;
  private letBlockPass = false;
  private waitingAt: PausePoint | null = null;
  private waiters = new Set<() => void>();
  onPauseChange?: (waiting: boolean, point: PausePoint) => void;

  /** oneShot: the method's only pause point is 'step' at each block start (pipeline.ts). */
  constructor(
    private readonly oneShot: boolean,
    start: Mode = 'run',
  ) {
    this.mode = start;
    if (start === 'block') this.letBlockPass = true;
    if (start === 'block' && oneShot) this.mode = 'step';
  }

  pause(): void {
    this.mode = 'pause';
  }

  resume(): void {
    this.mode = 'run';
    this.wake();
  }

  stepOnce(): void {
    this.mode = 'step';
    this.wake();
  }

  stepBlock(): void {
    if (this.oneShot) return this.stepOnce(); // one block = one step for Wanda / SparseGPT / magnitude
    this.mode = 'block';
    // Waiting at a block start, or not started yet: run that whole block. Mid-block: finish it only.
    this.letBlockPass = this.waitingAt !== 'step';
    this.wake();
  }

  async waitIfPaused(point: PausePoint, signal?: AbortSignal): Promise<void> {
    // The CPU executor's awaits resolve as microtasks, so without a macrotask turn here the Worker
    // would never see the page's pause / cancel messages until the run ended.
    await yieldToEventLoop();
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

  private pass(point: PausePoint): boolean {
    switch (this.mode) {
      case 'run':
        return true;
      case 'pause':
        return false;
      case 'step':
        // A BESA block start is followed by step 0 with no pause point of its own: passing the block
        // point IS the single step, so pause right after it (the next wait is before step 1).
        this.mode = 'pause';
        return true;
      case 'block':
        if (point === 'step') return true;
        if (this.letBlockPass) {
          this.letBlockPass = false;
          return true;
        }
        this.mode = 'pause';
        return false;
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

export const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
