// WebGPU errors are never silent (docs/reliability.md): an error no scope caught, raised while a run is
// under way, stops the run at the next phase check with a GpuRunError naming the phase, and the blocks
// committed before it stay in the checkpoint.
import { describe, expect, it } from 'vitest';
import { GpuRunError } from '../../src/gpu/errors';
import { MemoryCheckpointStore } from '../../src/prune/checkpoint';
import { GpuBlockExecutor } from '../../src/prune/gpuExecutor';
import { runPipeline } from '../../src/prune/pipeline';
import { calibIds, loadMicro, microConfig } from '../unit/prune/engineFixture';
import { getRuntime } from './setup';

/** A real validation error outside any error scope: an invalid buffer usage. */
const provoke = (device: GPUDevice) => device.createBuffer({ size: 4, usage: 0xffff });

describe('uncaptured WebGPU errors', () => {
  it('are kept until a phase check, which names the phase and clears them', async () => {
    const rt = await getRuntime();
    await rt.checkErrors('nothing happened'); // no error: no throw
    provoke(rt.device);
    const err = await rt.checkErrors('test phase').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuRunError);
    expect(err).toMatchObject({ phase: 'test phase', kind: 'validation' });
    expect((err as Error).message).toMatch(/^test phase: WebGPU validation error \(.*\)\. The run stopped before committing this block/);
    await rt.checkErrors('after'); // taken once
  });

  it('mid-run: the run stops at block 1 naming the phase; block 0 stays in the checkpoint', async () => {
    const rt = await getRuntime();
    const m = await loadMicro();
    const cfg = microConfig({ method: 'wanda' });
    const checkpoint = new MemoryCheckpointStore();
    const err = await runPipeline({
      model: m,
      config: cfg,
      calibrationIds: calibIds(m, cfg),
      executor: new GpuBlockExecutor(rt, m.spec),
      checkpoint,
      onEvent: (e) => void (e.type === 'block-end' && e.block === 0 && provoke(rt.device)),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuRunError);
    expect((err as Error).message).toMatch(/^block 1: dense pass: WebGPU validation error/);
    expect((await checkpoint.load())?.completed).toBe(1);
  });
});
