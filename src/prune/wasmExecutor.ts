// The WASM engine (docs/wasm.md): the reference block with its linears and attention products run by
// the SIMD kernel compiled from wasm/gemm.ts (src/wasm). For machines whose only WebGPU adapter is a
// software one, and browsers without WebGPU. Perplexity forwards go through the same ops.
import { archBlockForward } from '../core/ops/archBlock';
import { cpuForwardLogits, embedCpu, finalNormCpu, lmHeadCpu, type ForwardLogits } from '../model/forward';
import { blockToF32, linearNames, linearOf, type BlockWeights, type LinearName, type ModelSpec, type StoredWeights } from '../model/spec';
import { WasmKernels } from '../wasm/kernels';
import type { WasmThreading } from '../wasm/threads';
import { wasmBlockOps } from '../wasm/ops';
import { CpuBlockExecutor, HostBlockExecutor, type BesaOrder, type ExecutorMemory, type MaskSet } from './executor';
import type { JobEngine } from './gpuEngine';

export class WasmBlockExecutor extends HostBlockExecutor {
  readonly kind = 'wasm' as const;
  readonly adapter: string;
  constructor(
    spec: ModelSpec,
    readonly kernels: WasmKernels,
  ) {
    super(spec, wasmBlockOps(kernels));
    const n = kernels.threads;
    this.adapter = `wasm (SIMD f32 products, ${n === 1 ? 'one thread' : `${n} threads`}${kernels.threadNote ? `; ${kernels.threadNote}` : ''})`;
  }

  /**
   * The module's memory: reserved bytes, which only grow, so they are also the peak (the header and the
   * memory event show them as this engine's memory, as the GPU ledger is for WebGPU).
   */
  memory(): ExecutorMemory {
    const reserved = this.kernels.bytesReserved;
    return { liveBytes: reserved, peakBytes: reserved };
  }

  /**
   * The host executor's besaPrefix with the prefix sums in the module (wasm/rows.ts): the same f64 sums in
   * the same order as prefixAtCandidates in JS, so bit-identical to it, at a third of its time.
   */
  override async besaPrefix(
    block: BlockWeights,
    masks: MaskSet,
    saved: unknown,
    dY: Float32Array,
    order: BesaOrder,
  ): Promise<Record<LinearName, ArrayLike<number>>> {
    const { maskGrads } = await this.backward(block, masks, saved, dY);
    const k = this.kernels;
    const out = {} as Record<LinearName, ArrayLike<number>>;
    for (const n of linearNames(this.spec)) {
      const { out: rows, in: cols } = linearOf(block, n);
      k.reset();
      const gm = k.put(maskGrads[n]); // [rows, cols]
      const idx = k.put(order[n].sortIdx); // [rows, cols] i32
      const kd = k.put(order[n].kd); // [D] i32
      out[n] = k.prefixAtCandidates(gm.ptr, idx.ptr, kd.ptr, rows, cols, rows, order[n].kd.length); // [rows, D]
    }
    return out;
  }

  /** One thread unless `threading` asks for more (docs/wasm.md §5). */
  static async create(spec: ModelSpec, threading?: WasmThreading): Promise<WasmBlockExecutor> {
    return new WasmBlockExecutor(spec, await WasmKernels.create(threading));
  }
}

/** ids [T] → logits [T, V] on the WASM ops (the evaluator's ForwardLogits). */
export function wasmForwardLogits(kernels: WasmKernels, spec: ModelSpec, weights: StoredWeights): ForwardLogits {
  const ops = wasmBlockOps(kernels);
  return (ids) => {
    let x = embedCpu(spec, weights, ids);
    const T = ids.length;
    for (const b of weights.blocks) x = archBlockForward(spec, blockToF32(b), null, x, T, ops).y;
    const y = finalNormCpu(spec, weights, x);
    return lmHeadCpu(y, weights.lmHead, T, spec.dim, spec.vocabSize, (a, w, t, i, o) => ops.linearForward(a, w, t, i, o));
  };
}

/** The WASM engine's parts of a job (one kernel module shared by the executors and the evaluator). */
export async function createWasmEngine(spec: ModelSpec, threading?: WasmThreading): Promise<JobEngine> {
  const kernels = await WasmKernels.create(threading);
  return {
    executor: new WasmBlockExecutor(spec, kernels),
    forwardFactory: (s, w) => wasmForwardLogits(kernels, s, w),
    newExecutor: () => new WasmBlockExecutor(spec, kernels),
    dispose: () => kernels.dispose(),
  };
}

/** The CPU reference engine (f64 accumulation; the oracle, and the last resort without WASM SIMD). */
export function createCpuEngine(spec: ModelSpec): JobEngine {
  return {
    executor: new CpuBlockExecutor(spec),
    forwardFactory: cpuForwardLogits,
    newExecutor: () => new CpuBlockExecutor(spec),
    dispose: () => {},
  };
}
