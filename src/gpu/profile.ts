// Per-kernel breakdown of recorded GPU work by timed replay (the bench's fallback where the adapter has no
// timestamp queries, which includes both software adapters): capture the dispatches of one piece of work
// (GpuRuntime.capture), then replay each captured dispatch `reps` times in its own submit and time it from
// submit to onSubmittedWorkDone. Times are summed per kernel ("<shader>.<entry>"). A replay writes into the
// same buffers as the original, so only profile work whose results are not used afterwards.
import type { CapturedDispatch, GpuRuntime } from './runtime';

export interface KernelTime {
  kernel: string;
  dispatches: number; // per captured piece of work
  ms: number; // summed median time of its dispatches
}

/** Record `fn` with capture on; returns what it dispatched (the work itself is submitted normally). */
export async function captureDispatches(rt: GpuRuntime, fn: () => Promise<unknown>): Promise<CapturedDispatch[]> {
  const list: CapturedDispatch[] = [];
  rt.capture = list;
  try {
    await fn();
  } finally {
    rt.capture = null;
  }
  await rt.sync();
  return list;
}

async function timeOne(rt: GpuRuntime, d: CapturedDispatch, reps: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const enc = rt.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    const [x, y = 1, z = 1] = d.workgroups;
    pass.dispatchWorkgroups(x, y, z);
    pass.end();
    const t0 = performance.now();
    rt.device.queue.submit([enc.finish()]);
    await rt.device.queue.onSubmittedWorkDone();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Median replay time of every dispatch, in capture order. */
export async function replayEach(rt: GpuRuntime, list: CapturedDispatch[], reps = 3): Promise<number[]> {
  const out: number[] = [];
  for (const d of list) out.push(await timeOne(rt, d, reps));
  return out;
}

/** Per-dispatch times summed per kernel, sorted by total time, largest first. */
export function byKernel(list: CapturedDispatch[], ms: number[]): KernelTime[] {
  const by = new Map<string, KernelTime>();
  list.forEach((d, i) => {
    const k = by.get(d.kernel) ?? { kernel: d.kernel, dispatches: 0, ms: 0 };
    k.dispatches++;
    k.ms += ms[i];
    by.set(d.kernel, k);
  });
  return [...by.values()].sort((a, b) => b.ms - a.ms);
}
