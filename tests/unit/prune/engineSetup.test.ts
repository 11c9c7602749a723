// setUpEngine (src/prune/engineSetup.ts), shared by the CLI and the studio's Worker: without a WebGPU
// runtime auto takes WASM and says why, explicit requests build the engine they name, and webgpu is
// refused by name. The probe on a real (software) adapter is covered in tests/gpu/engine.test.ts.
import { describe, expect, it } from 'vitest';
import { EngineUnavailableError } from '../../../src/prune/engineChoice';
import { setUpEngine } from '../../../src/prune/engineSetup';
import { CpuBlockExecutor } from '../../../src/prune/executor';
import { WasmBlockExecutor } from '../../../src/prune/wasmExecutor';
import { nodeWasmThreading } from '../../../src/wasm/threadsNode';
import { loadMicro } from './engineFixture';

const noGpu = { runtime: null, error: 'WebGpuUnavailableError: navigator.gpu is missing' };

describe('setUpEngine without WebGPU', () => {
  it('auto builds the WASM engine and names the missing adapter in its reason', async () => {
    const e = await setUpEngine(await loadMicro(), 'auto', noGpu);
    try {
      expect(e.decision.engine).toBe('wasm');
      expect(e.decision.reason).toMatch(/^auto: .*navigator\.gpu is missing/);
      expect(e.executor).toBeInstanceOf(WasmBlockExecutor);
    } finally {
      e.dispose();
    }
  });

  it('cpu and wasm requests build what they name; webgpu is refused with what to choose instead', async () => {
    const model = await loadMicro();
    const cpu = await setUpEngine(model, 'cpu', noGpu);
    expect(cpu.executor).toBeInstanceOf(CpuBlockExecutor);
    cpu.dispose();
    const wasm = await setUpEngine(model, 'wasm', noGpu);
    expect(wasm.decision).toMatchObject({ engine: 'wasm', reason: 'wasm requested; SIMD f32 products, one thread' });
    wasm.dispose();
    const threaded = await setUpEngine(model, 'wasm', noGpu, nodeWasmThreading(2));
    expect(threaded.decision.reason).toBe('wasm requested; SIMD f32 products, 2 threads');
    threaded.dispose();
    await expect(setUpEngine(model, 'webgpu', noGpu)).rejects.toThrow(EngineUnavailableError);
    await expect(setUpEngine(model, 'webgpu', noGpu)).rejects.toThrow(/navigator\.gpu is missing.*choose wasm or cpu/);
  });
});
