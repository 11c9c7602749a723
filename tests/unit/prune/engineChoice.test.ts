// Engine choice (src/prune/engineChoice.ts): explicit requests are honoured or refused by name, auto
// takes WebGPU on a hardware adapter, probes on a software one, and falls back to WASM, then CPU.
import { describe, expect, it } from 'vitest';
import type { GpuCapabilities } from '../../../src/gpu/capabilities';
import { isSoftwareAdapter } from '../../../src/gpu/capabilities';
import { chooseEngine, EngineUnavailableError, timeBlockForward } from '../../../src/prune/engineChoice';
import { CpuBlockExecutor } from '../../../src/prune/executor';
import { randomWeights, tinyModelSpec } from '../../support/specs';

const caps = (o: Partial<GpuCapabilities>): GpuCapabilities =>
  ({
    vendor: '',
    architecture: '',
    device: '',
    description: '',
    isFallbackAdapter: false,
    features: [],
    limits: {},
    ...o,
  }) as GpuCapabilities;
const HW = caps({ vendor: 'nvidia', architecture: 'hopper' });
const SW = caps({ vendor: 'mesa', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' });

describe('chooseEngine', () => {
  it('software adapters are recognised by flag or by name', () => {
    expect(isSoftwareAdapter(HW)).toBe(false);
    expect(isSoftwareAdapter(SW)).toBe(true);
    expect(isSoftwareAdapter(caps({ vendor: 'google', architecture: 'swiftshader' }))).toBe(true);
    expect(isSoftwareAdapter(caps({ vendor: 'intel', isFallbackAdapter: true }))).toBe(true);
  });

  it('explicit requests: taken when available, refused with what to choose instead', async () => {
    expect((await chooseEngine('cpu', { gpu: HW, wasm: true })).engine).toBe('cpu');
    expect((await chooseEngine('wasm', { gpu: HW, wasm: true })).engine).toBe('wasm');
    expect((await chooseEngine('webgpu', { gpu: SW, wasm: true })).engine).toBe('webgpu');
    await expect(chooseEngine('webgpu', { gpu: null, gpuError: 'no adapter', wasm: true })).rejects.toThrow(EngineUnavailableError);
    await expect(chooseEngine('webgpu', { gpu: null, gpuError: 'no adapter', wasm: true })).rejects.toThrow(
      /no WebGPU adapter \(no adapter\); choose wasm or cpu/,
    );
    await expect(chooseEngine('wasm', { gpu: HW, wasm: false })).rejects.toThrow(/no WebAssembly SIMD; choose webgpu or cpu/);
  });

  it('auto: hardware adapter → webgpu without probing; software → the faster of the probe; none → wasm, then cpu', async () => {
    let probed = 0;
    const probe = (webgpu: number, wasm: number) => async () => (probed++, { webgpu, wasm });
    expect(await chooseEngine('auto', { gpu: HW, wasm: true, probe: probe(1, 2) })).toMatchObject({
      engine: 'webgpu',
      reason: expect.stringMatching(/hardware adapter nvidia/),
    });
    expect(probed).toBe(0);
    const slowGpu = await chooseEngine('auto', { gpu: SW, wasm: true, probe: probe(240, 31) });
    expect(slowGpu).toMatchObject({ engine: 'wasm', probeMs: { webgpu: 240, wasm: 31 } });
    expect(slowGpu.reason).toMatch(/software adapter .*llvmpipe.*31 ms on wasm, 240 ms on webgpu/);
    expect((await chooseEngine('auto', { gpu: SW, wasm: true, probe: probe(10, 30) })).engine).toBe('webgpu');
    expect(probed).toBe(2);
    expect(await chooseEngine('auto', { gpu: null, gpuError: 'navigator.gpu missing', wasm: true })).toMatchObject({
      engine: 'wasm',
      reason: 'auto: no WebGPU adapter (navigator.gpu missing)',
    });
    expect((await chooseEngine('auto', { gpu: null, wasm: false })).engine).toBe('cpu');
  });

  it('timeBlockForward returns a positive time per forward', async () => {
    const spec = tinyModelSpec();
    const w = randomWeights(spec, 1);
    const ms = await timeBlockForward(new CpuBlockExecutor(spec), w.blocks[0], new Float32Array(8 * spec.dim).fill(0.1), 20);
    expect(ms).toBeGreaterThan(0);
  });
});
