// Which engine runs a job (docs/wasm.md §3): WebGPU, WASM (SIMD products on the CPU) or the CPU
// reference. 'auto' takes WebGPU on a real adapter; on a software adapter (SwiftShader, lavapipe) it
// times one dense block forward on both WebGPU and WASM for about a second and takes the faster; with
// no adapter it takes WASM. The decision carries a reason for the header and the CLI.
import { adapterLabel, isSoftwareAdapter, type GpuCapabilities } from '../gpu/capabilities';
import type { BlockWeights } from '../model/spec';
import type { BlockExecutor } from './executor';

export const ENGINE_REQUESTS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;
export type EngineRequest = (typeof ENGINE_REQUESTS)[number];
export type EngineName = Exclude<EngineRequest, 'auto'>;

export interface EngineDecision {
  engine: EngineName;
  /** Why, in words ("software adapter …: WASM 31 ms vs WebGPU 240 ms per block forward"). */
  reason: string;
  /** Milliseconds per dense block forward of each probed engine (auto on a software adapter). */
  probeMs?: Partial<Record<EngineName, number>>;
}

export class EngineUnavailableError extends Error {
  override name = 'EngineUnavailableError';
}

export function isEngineRequest(s: string): s is EngineRequest {
  return (ENGINE_REQUESTS as readonly string[]).includes(s);
}

/** Mean ms per dense forward of `block` on X, after one warm-up, repeated for about budgetMs. */
export async function timeBlockForward(exec: BlockExecutor, block: BlockWeights, X: Float32Array, budgetMs = 500): Promise<number> {
  await exec.forward(block, X, null);
  let n = 0;
  const t0 = performance.now();
  do {
    await exec.forward(block, X, null);
    n++;
  } while (performance.now() - t0 < budgetMs && n < 50);
  return (performance.now() - t0) / n;
}

export interface EngineAvailability {
  /** The WebGPU adapter, or null with the reason it is missing. */
  gpu: GpuCapabilities | null;
  gpuError?: string;
  /** WebAssembly SIMD is available (src/wasm/kernels.ts wasmSimdSupported). */
  wasm: boolean;
  /** Times both engines (ms per block forward); called only for auto on a software adapter. */
  probe?: () => Promise<{ webgpu: number; wasm: number }>;
}

export async function chooseEngine(requested: EngineRequest, have: EngineAvailability): Promise<EngineDecision> {
  const gpuName = have.gpu ? adapterLabel(have.gpu) : '';
  const noGpu = `no WebGPU adapter${have.gpuError ? ` (${have.gpuError})` : ''}`;
  switch (requested) {
    case 'cpu':
      return { engine: 'cpu', reason: 'cpu requested (reference executor)' };
    case 'wasm':
      if (!have.wasm) throw new EngineUnavailableError('engine wasm: this runtime has no WebAssembly SIMD; choose webgpu or cpu');
      return { engine: 'wasm', reason: 'wasm requested' };
    case 'webgpu':
      if (!have.gpu) throw new EngineUnavailableError(`engine webgpu: ${noGpu}; choose wasm or cpu (or auto)`);
      return { engine: 'webgpu', reason: `webgpu requested (${gpuName})` };
  }
  if (have.gpu && !isSoftwareAdapter(have.gpu)) return { engine: 'webgpu', reason: `auto: hardware adapter ${gpuName}` };
  if (!have.wasm)
    return have.gpu
      ? { engine: 'webgpu', reason: `auto: ${gpuName}, no WebAssembly SIMD` }
      : { engine: 'cpu', reason: `auto: ${noGpu} and no WebAssembly SIMD` };
  if (!have.gpu) return { engine: 'wasm', reason: `auto: ${noGpu}` };
  if (!have.probe) return { engine: 'wasm', reason: `auto: software adapter ${gpuName}` };
  const ms = await have.probe();
  const engine: EngineName = ms.wasm <= ms.webgpu ? 'wasm' : 'webgpu';
  const fmt = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
  return {
    engine,
    reason: `auto: software adapter ${gpuName}; one block forward took ${fmt(ms.wasm)} on wasm, ${fmt(ms.webgpu)} on webgpu`,
    probeMs: ms,
  };
}
