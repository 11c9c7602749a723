// The Worker's pause / single-step controller (implements the pipeline's PruneControl). Same
// semantics as src/prune/controller.ts's RunController, plus what the studio needs on top:
//   - a run can START in step / block mode (the step buttons work before a run: "start paused and
//     take one step / one block"); RunController would stop at the first block start instead;
//   - one-shot methods (Wanda / SparseGPT / magnitude) only have the 'step' point at each block
//     start, so "step one block" is "step once" for them.
//   step  : exactly one optimiser step (the pipeline waits before every step, step 0 included)
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
    // Waiting at a block start: run that whole block. Mid-block: finish it only.
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

  private pass(point: PausePoint): boolean {
    switch (this.mode) {
      case 'run':
        return true;
      case 'pause':
        return false;
      case 'step':
        if (point === 'step') this.mode = 'pause'; // this step runs, the next one waits
        return true; // a BESA block start is not a step
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

/** A macrotask turn, so the Worker sees the page's messages during long CPU loops. */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
