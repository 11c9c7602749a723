// Time left in a run (issue #14: an ETA right within 2× from the first steps, never frozen between blocks).
// A block costs a fixed part (the dense pass before the method, the pruned pass after it, the checkpoint)
// plus, for BESA, one optimiser step per calibration sample. Dividing the elapsed time by the steps done,
// as a plain rate would, charges the first dense pass to the first step and overestimates many times over;
// here the two parts are timed apart:
//   left = steps left × step time + (blocks left × fixed part) − (fixed part already spent in this block)
// step time: the mean of this run's steps, without a block's first step (it carries the method's setup).
// Until a second step is timed, the first one bounds it, and so does the dense pass: a step is one sample's
// forward and backward, about 3 forwards, and the dense pass is a forward of every sample. Fixed part: the mean over finished blocks, or, before one finishes, twice this block's
// dense pass (the pruned pass is the same forward again). All times in seconds, passed in (testable).
export class RunEta {
  private readonly steps: number[] = [];
  private readonly firstSteps: number[] = [];
  private readonly fixed: number[] = [];
  private blockT0 = 0;
  private denseSeconds: number | null = null;
  private lastMark = 0;
  private stepsHere = 0;
  private stepSecondsHere = 0;
  private blocksDone = 0;
  private inBlock = false;

  private lastDense: number | null = null;

  constructor(
    private readonly blocks: number,
    private readonly stepsPerBlock: number,
    /** Samples in a dense pass (the prior for the first step's time). */
    private readonly samples = 1,
  ) {}

  blockStart(t: number): void {
    this.blockT0 = t;
    this.inBlock = true;
    this.denseSeconds = null;
    this.stepsHere = 0;
    this.stepSecondsHere = 0;
  }

  denseDone(t: number): void {
    this.denseSeconds = t - this.blockT0;
    this.lastDense = this.denseSeconds;
    this.lastMark = t;
  }

  stepDone(t: number): void {
    const dt = t - this.lastMark;
    this.lastMark = t;
    (this.stepsHere === 0 ? this.firstSteps : this.steps).push(dt);
    this.stepsHere++;
    this.stepSecondsHere += dt;
  }

  blockDone(t: number): void {
    this.fixed.push(t - this.blockT0 - this.stepSecondsHere);
    this.blocksDone++;
    this.inBlock = false;
  }

  private stepTime(): number | null {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    if (this.steps.length) return mean(this.steps);
    if (!this.firstSteps.length) return null;
    const prior = this.lastDense === null ? Infinity : (3 * this.lastDense) / this.samples;
    return Math.min(mean(this.firstSteps), prior);
  }

  private fixedTime(): number | null {
    if (this.fixed.length) return this.fixed.reduce((a, b) => a + b, 0) / this.fixed.length;
    return this.denseSeconds === null ? null : 2 * this.denseSeconds;
  }

  /** Seconds left at time t, or undefined while nothing has been timed yet. */
  remaining(t: number): number | undefined {
    const fixed = this.fixedTime();
    const step = this.stepsPerBlock > 0 ? this.stepTime() : 0;
    if (fixed === null || step === null) return undefined;
    const inBlock = this.inBlock;
    const later = this.blocks - this.blocksDone - (inBlock ? 1 : 0);
    const stepsLeft = later * this.stepsPerBlock + (inBlock ? this.stepsPerBlock - this.stepsHere : 0);
    const fixedSpent = inBlock ? Math.min(fixed, t - this.blockT0 - this.stepSecondsHere) : 0;
    return Math.max(0, stepsLeft * step + (later + (inBlock ? 1 : 0)) * fixed - fixedSpent);
  }
}
