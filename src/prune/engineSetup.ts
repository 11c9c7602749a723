// Decide and build the engine of a job (docs/wasm.md §3), shared by the studio's Worker and the CLI.
// The caller brings the WebGPU runtime it managed to acquire (or null and why not); this module runs
// the 'auto' probe on a software adapter (one dense block forward of the loaded model on WebGPU and on
// WASM, ~0.5 s each) and returns the chosen engine with the decision and its reason.
import type { GpuRuntime } from '../gpu/runtime';
import type { LoadedModel } from '../model/loader';
import { wasmSimdSupported } from '../wasm/kernels';
import { chooseEngine, timeBlockForward, type EngineDecision, type EngineRequest } from './engineChoice';
import { createGpuEngine, type JobEngine } from './gpuEngine';
import { createCpuEngine, createWasmEngine } from './wasmExecutor';

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

/** Throws EngineUnavailableError (engineChoice.ts) when the requested engine is missing here. */
export async function setUpEngine(model: LoadedModel, request: EngineRequest, gpu: GpuAvailability): Promise<ChosenEngine> {
  const rt = gpu.runtime;
  const block = model.weights.blocks[0];
  const decision = await chooseEngine(request, {
    gpu: rt?.caps ?? null,
    gpuError: gpu.error,
    wasm: wasmSimdSupported(),
    probe: async () => {
      const X = probeInput(model);
      const onGpu = createGpuEngine(rt!, model.spec);
      const onWasm = await createWasmEngine(model.spec);
      try {
        return { webgpu: await timeBlockForward(onGpu.executor, block, X), wasm: await timeBlockForward(onWasm.executor, block, X) };
      } finally {
        onGpu.dispose();
        onWasm.dispose();
      }
    },
  });
  const engine =
    decision.engine === 'webgpu'
      ? createGpuEngine(rt!, model.spec)
      : decision.engine === 'wasm'
        ? await createWasmEngine(model.spec)
        : createCpuEngine(model.spec);
  return { ...engine, decision };
}
