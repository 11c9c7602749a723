// A run over the adapter's buffer limits is refused by runPruneJob before any work (src/gpu/limits.ts,
// GpuBlockExecutor.checkRun): the real runtime with its reported binding limit lowered to 16 KiB, so the
// micro model's attention scores at seqlen 64 (heads · 64² · 4 B ≥ 16 KiB) and its activations do not fit.
import { describe, expect, it } from 'vitest';
import { AdapterLimitError } from '../../src/gpu/limits';
import type { GpuRuntime } from '../../src/gpu/runtime';
import { GpuBlockExecutor } from '../../src/prune/gpuExecutor';
import { runPruneJob } from '../../src/prune/job';
import { dataText, loadMicro, microConfig } from '../unit/prune/engineFixture';
import { getRuntime } from './setup';

describe('adapter limits on the GPU engine', () => {
  it('runPruneJob refuses a run whose buffers exceed the limit, before any event, naming them', async () => {
    const m = await loadMicro();
    const rt = await getRuntime();
    const limits = { ...rt.caps.limits, maxStorageBufferBindingSize: 16 * 1024 };
    const small = Object.create(rt, { caps: { value: { ...rt.caps, limits } } }) as GpuRuntime;
    const exec = new GpuBlockExecutor(small, m.spec);
    const events: string[] = [];
    const cfg = microConfig({ method: 'wanda', nsamples: 2, seqlen: 64 });
    const job = runPruneJob({
      model: m,
      config: cfg,
      calibration: { id: 'sotu-calib', text: dataText('sotu-calib.txt') },
      executor: exec,
      onEvent: (e) => events.push(e.type),
    });
    await expect(job).rejects.toBeInstanceOf(AdapterLimitError);
    await expect(job).rejects.toThrow(/attention scores \[\d+, 64, 64\] = [\d.]+ MiB: lower seqlen to \d+ or less/);
    expect(events).toEqual([]);
    // the same run within the real limits is accepted by the check
    expect(() => new GpuBlockExecutor(rt, m.spec).checkRun({ seqlen: 64 })).not.toThrow();
    exec.dispose();
  });
});
