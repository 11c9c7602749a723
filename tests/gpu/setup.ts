// GPU test tier setup: Dawn via the `webgpu` package. A missing adapter FAILS the run (it is not a
// skip): CI must prove the kernels on a real WebGPU implementation.
import { afterAll } from 'vitest';
import { acquireNodeDevice } from '../../src/gpu/node';
import { GpuRuntime } from '../../src/gpu/runtime';

let runtime: GpuRuntime | null = null;

export async function getRuntime(): Promise<GpuRuntime> {
  if (!runtime) runtime = new GpuRuntime(await acquireNodeDevice());
  return runtime;
}

afterAll(() => {
  runtime?.dispose();
  runtime = null;
});
