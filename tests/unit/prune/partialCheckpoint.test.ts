// A checkpoint inside a BESA block (issue #14): θ and the optimiser state are saved every N steps and on
// cancel, and a resumed block continues exactly: same step losses, same masks as a run never stopped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskCheckpointStore } from '../../../src/cli/diskCheckpoint';
import { linearOf, weightsToF32, LINEAR_NAMES } from '../../../src/model/spec';
import { MemoryCheckpointStore, type PartialBlockCheckpoint } from '../../../src/prune/checkpoint';
import type { EngineEvent } from '../../../src/prune/events';
import { CpuBlockExecutor } from '../../../src/prune/executor';
import { BesaOptionError } from '../../../src/prune/methods/besa';
import { runPipeline, type PipelineOptions } from '../../../src/prune/pipeline';
import { DEFAULT_BESA } from '../../../src/prune/config';
import { calibIds, loadMicro, microConfig } from './engineFixture';

async function opts(over: Partial<PipelineOptions['config']> = {}): Promise<PipelineOptions> {
  const m = await loadMicro();
  const config = microConfig({ method: 'besa', nsamples: 12, seqlen: 16, ...over });
  return { model: m, config, calibrationIds: calibIds(m, config), executor: new CpuBlockExecutor(m.spec) };
}

type Step = Extract<EngineEvent, { type: 'step' }>;
const stepsOf = (events: EngineEvent[]) => events.filter((e): e is Step => e.type === 'step');
const key = (s: Step) => `${s.block}.${s.step}`;

/** A memory store that also remembers every partial save it was given. */
class RecordingStore extends MemoryCheckpointStore {
  partials: PartialBlockCheckpoint[] = [];
  override async savePartial(cp: PartialBlockCheckpoint): Promise<void> {
    this.partials.push(structuredClone(cp));
    await super.savePartial(cp);
  }
}

async function cutAndResume(over: Partial<PipelineOptions['config']>, cutBlock: number, cutStep: number) {
  const base = await opts(over);
  const fullEvents: EngineEvent[] = [];
  const full = await runPipeline({ ...base, onEvent: (e) => fullEvents.push(e) });
  const store = new RecordingStore();
  const ac = new AbortController();
  const cut = await runPipeline({
    ...base,
    checkpoint: store,
    checkpointEvery: 4,
    signal: ac.signal,
    onEvent: (e) => e.type === 'step' && e.block === cutBlock && e.step === cutStep && ac.abort(),
  });
  expect(cut.status).toBe('cancelled');
  const afterCut = { partials: store.partials.slice(), state: (await store.load())! }; // before the resumed run saves more
  const events: EngineEvent[] = [];
  const res = await runPipeline({ ...base, checkpoint: store, resume: true, onEvent: (e) => events.push(e) });
  return { base, full, fullEvents, afterCut, res, events };
}

describe('checkpoint inside a block', () => {
  it('saves every 4 steps and on cancel; the resumed block equals the uninterrupted run, step for step', async () => {
    const { full, fullEvents, afterCut, res, events } = await cutAndResume({}, 1, 6);
    // periodic saves after steps 4 and 8 of block 0, after 4 of block 1, and on cancel after 7
    expect(afterCut.partials.map((p) => `${p.block}@${p.progress.step}`)).toEqual(['0@4', '0@8', '1@4', '1@7']);
    expect(res.status).toBe('completed');
    expect(res.startBlock).toBe(1);
    // the resumed block's charts get its first 7 steps again, then steps 7…11 run: the same numbers as never stopped
    const want = stepsOf(fullEvents).filter((s) => s.block === 1);
    expect(stepsOf(events).map(key)).toEqual(want.map(key));
    expect(stepsOf(events).map((s) => [s.reconLoss, s.penalty, s.d])).toEqual(want.map((s) => [s.reconLoss, s.penalty, s.d]));
    weightsToF32(res.weights).blocks.forEach((b, i) =>
      LINEAR_NAMES.forEach((n) => expect(linearOf(b, n).w, `block ${i} ${n}`).toEqual(linearOf(weightsToF32(full.weights).blocks[i], n).w)),
    );
    expect(res.blocks.map((b) => b.lossBefore)).toEqual(full.blocks.map((b) => b.lossBefore));
    expect(events.find((e) => e.type === 'log' && e.message.startsWith('resuming'))).toMatchObject({
      message: 'resuming block 1 at step 8/12 (1/2 blocks done)',
    });
  });

  it('block 0 stopped mid-way resumes from its own state (inputs embedded again); AdamW state too', async () => {
    for (const optimizer of ['prodigy', 'adam'] as const) {
      const { full, afterCut, res } = await cutAndResume({ besa: { ...DEFAULT_BESA, optimizer } }, 0, 9);
      expect(afterCut.state).toMatchObject({ completed: 0, Xp: [] });
      expect(afterCut.partials.at(-1)).toMatchObject({ block: 0, progress: { step: 10 } });
      expect(res.startBlock).toBe(0);
      weightsToF32(res.weights).blocks.forEach((b, i) =>
        LINEAR_NAMES.forEach((n) =>
          expect(linearOf(b, n).w, `${optimizer} block ${i} ${n}`).toEqual(linearOf(weightsToF32(full.weights).blocks[i], n).w),
        ),
      );
    }
  });

  it('a run killed without its cancel save resumes from the last periodic save, with the same result', async () => {
    const { base, full, afterCut } = await cutAndResume({}, 1, 6);
    const periodic = afterCut.partials.find((p) => p.block === 1 && p.progress.step === 4)!;
    const state = afterCut.state;
    const res = await runPipeline({ ...base, resumeFrom: { ...state, partial: periodic.progress } });
    weightsToF32(res.weights).blocks.forEach((b, i) =>
      LINEAR_NAMES.forEach((n) => expect(linearOf(b, n).w).toEqual(linearOf(weightsToF32(full.weights).blocks[i], n).w)),
    );
  });

  it('a saved block state that does not fit the run is refused by name', async () => {
    const { base, afterCut } = await cutAndResume({}, 1, 6);
    const state = afterCut.state;
    const bad = { ...state, partial: { ...state.partial!, theta: state.partial!.theta.slice(0, 3) } };
    await expect(runPipeline({ ...base, resumeFrom: bad })).rejects.toThrow(BesaOptionError);
    const late = { ...state, partial: { ...state.partial!, step: 12 } };
    await expect(runPipeline({ ...base, resumeFrom: late })).rejects.toThrow(/clear the checkpoint/);
  });

  it("the CLI's disk store keeps the block in progress too: a fresh store object resumes it exactly", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'besa-partial-'));
    try {
      const base = await opts();
      const full = await runPipeline(base);
      const ac = new AbortController();
      const onEvent = (e: EngineEvent) => e.type === 'step' && e.block === 0 && e.step === 9 && ac.abort();
      const cut = await runPipeline({ ...base, checkpoint: new DiskCheckpointStore(dir), signal: ac.signal, onEvent });
      expect(cut.status).toBe('cancelled');
      expect(await new DiskCheckpointStore(dir).readState()).toBeNull(); // nothing finished, only the block in progress
      expect((await new DiskCheckpointStore(dir).readPartial())?.progress.step).toBe(10);
      const res = await runPipeline({ ...base, checkpoint: new DiskCheckpointStore(dir), resume: true });
      weightsToF32(res.weights).blocks.forEach((b, i) =>
        LINEAR_NAMES.forEach((n) =>
          expect(linearOf(b, n).w, `block ${i} ${n}`).toEqual(linearOf(weightsToF32(full.weights).blocks[i], n).w),
        ),
      );
      expect(await new DiskCheckpointStore(dir).readPartial()).toBeNull(); // deleted when its block finished
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
