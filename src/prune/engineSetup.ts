// Decide and build the engine of a job (docs/wasm.md §3), shared by the studio's Worker and the CLI.
// The caller brings the WebGPU runtime it managed to acquire (or null and why not); this module runs
// the 'auto' probe on a software adapter (one dense block forward of the loaded model on WebGPU and on
// WASM, ~0.5 s each) and returns the chosen engine with the decision and its reason.
import type { GpuRuntime } from '../gpu/runtime';
import type { LoadedModel } from '../model/loader';
import { blockToF32 } from '../model/spec';
import { wasmSimdSupported } from '../wasm/kernels';
import { chooseEngine, timeBlockForward, type EngineDecision, type EngineRequest } from './engineChoice';
import { createGpuEngine, type JobEngine } from './gpuEngine';
import { createCpuEngine, createWasmEngine } from './wasmExecutor';
import type { WasmThreading } from '../wasm/threads';

export interface GpuAvailability {
  runtime: GpuRuntime | null;
  /** Why there is no runtime ("WebGpuUnavailableError: …"), shown in the decision's reason. */
  error?: string;
}

export type ChosenEngine = JobEngine & { decision: EngineDecision };

/** Calibration-like input for the probe: [T, C] with T = min(128, context), deterministic. */
function probeInput(model: LoadedModel): Float32Array {
  const T = Math.min(128, model.spec.maxSeqLen);
  return new Float32Array(T * model.spec.dim).map((_, i) => Math.sin(i));
}

/**
 * Throws EngineUnavailableError (engineChoice.ts) when the requested engine is missing here.
 * `threading`: how the WASM engine may start helper threads (src/wasm/threads.ts); one thread without it.
 */
export async function setUpEngine(
  model: LoadedModel,
  request: EngineRequest,
  gpu: GpuAvailability,
  threading?: WasmThreading,
): Promise<ChosenEngine> {
  const rt = gpu.runtime;
  const block = blockToF32(model.weights.blocks[0]);
  // The probe's engines are kept for the job when chosen (starting WASM helper threads twice costs time).
  const probed: Partial<Record<'webgpu' | 'wasm', JobEngine>> = {};
  try {
    const decision = await chooseEngine(request, {
      gpu: rt?.caps ?? null,
      gpuError: gpu.error,
      wasm: wasmSimdSupported(),
      probe: async () => {
        const X = probeInput(model);
        const onGpu = (probed.webgpu = createGpuEngine(rt!, model.spec));
        const onWasm = (probed.wasm = await createWasmEngine(model.spec, threading));
        return { webgpu: await timeBlockForward(onGpu.executor, block, X), wasm: await timeBlockForward(onWasm.executor, block, X) };
      },
    });
    const name = decision.engine;
    const engine =
      name === 'cpu'
        ? createCpuEngine(model.spec)
        : (probed[name] ?? (name === 'webgpu' ? createGpuEngine(rt!, model.spec) : await createWasmEngine(model.spec, threading)));
    delete probed[name as 'webgpu' | 'wasm'];
    return { ...engine, decision: withThreads(decision, engine) };
  } finally {
    for (const e of Object.values(probed)) e.dispose();
  }
}

/** The WASM decision names its thread count (and why it is one when more were asked for). */
function withThreads(d: EngineDecision, e: JobEngine): EngineDecision {
  return e.executor.kind === 'wasm' ? { ...d, reason: `${d.reason}; ${e.executor.adapter.replace(/^wasm \((.*)\)$/, '$1')}` } : d;
}
