// The WASM engine (docs/wasm.md): the reference block with its linears and attention products run by
// the SIMD kernel compiled from wasm/gemm.ts (src/wasm). For machines whose only WebGPU adapter is a
// software one, and browsers without WebGPU. Perplexity forwards go through the same ops.
import { archBlockForward } from '../core/ops/archBlock';
import { cpuForwardLogits, embedCpu, finalNormCpu, lmHeadCpu, type ForwardLogits } from '../model/forward';
import type { AnyBlockSaved } from '../core/ops/archBlock';
import { blockToF32, linearNames, linearOf, type BlockWeights, type LinearName, type ModelSpec, type StoredWeights } from '../model/spec';
import type { ProdigyStore } from '../core/optim/prodigy';
import { WasmKernels } from '../wasm/kernels';
import { WasmProdigyStore } from '../wasm/prodigyStore';
import type { WasmThreading } from '../wasm/threads';
import { wasmBlockOps, type WasmBlockOps } from '../wasm/ops';
import {
  CpuBlockExecutor,
  HostBlockExecutor,
  lazyHardMasks,
  type BackwardResult,
  type BesaCounts,
  type BesaOrder,
  type ExecutorMemory,
  type ForwardOptions,
  type ForwardResult,
  type MaskSet,
} from './executor';
import type { JobEngine } from './gpuEngine';

/**
 * Blocks up to this many weights keep W ⊙ M of every linear and the sort orders in module memory for a BESA
 * step (built once per step, copied in once per block; the default model's block has 0.72 M); larger ones build
 * W ⊙ M per op from a fresh copy of the order, which costs a few more passes over W per step but no second copy
 * of the block (f32 W ⊙ M and the order: 20 MiB for SmolLM2-135M, 85 MiB for Qwen2.5-0.5B).
 */
const KEEP_MASKED_FLOATS = 1 << 20;

/** What the ops hand back as dMask while besaPrefix consumes the gradients in the module. */
const NO_HOST_GRAD = new Float32Array(0);

/** A BESA step's hard masks as besaHardMasks made them: what builds W ⊙ M in the module. */
interface BesaMasks {
  block: BlockWeights;
  order: BesaOrder;
  counts: BesaCounts;
}

export class WasmBlockExecutor extends HostBlockExecutor {
  readonly kind = 'wasm' as const;
  readonly adapter: string;
  private readonly wops: WasmBlockOps;
  /** The MaskSets besaHardMasks returned, with their counts (weakly: a step's set is dropped after it). */
  private readonly besaSets = new WeakMap<object, BesaMasks>();

  constructor(
    spec: ModelSpec,
    readonly kernels: WasmKernels,
    /** Blocks up to this many weights keep W ⊙ M in module memory for a step (moduleMasks). */
    private readonly keepMaskedFloats = KEEP_MASKED_FLOATS,
  ) {
    const ops = wasmBlockOps(kernels);
    super(spec, ops);
    this.wops = ops;
    const n = kernels.threads;
    this.adapter = `wasm (SIMD f32 products, ${n === 1 ? 'one thread' : `${n} threads`}${kernels.threadNote ? `; ${kernels.threadNote}` : ''})`;
  }

  /**
   * BESA's step masks from the counts (the BlockExecutor capability): the MaskSet is lazyHardMasks, so it is
   * valid everywhere; given back to this executor's forward/backward/besaPrefix, W ⊙ M is built in module
   * memory from the counts and the sort order (wasm/rows.ts applyHardMask, bit-identical to W ⊙ hardMask)
   * and kept there for the step, instead of [out, in] host masks copied in and multiplied by every op.
   */
  besaHardMasks(block: BlockWeights, order: BesaOrder, counts: BesaCounts): NonNullable<MaskSet> {
    const set = lazyHardMasks(block, order, counts);
    this.besaSets.set(set, { block, order, counts });
    return set;
  }

  /**
   * The masks to run `block` with, for a besaHardMasks set: handles to W ⊙ M kept in module slots for the
   * step (built once, used by forward and backward), or, for a block of more than KEEP_MASKED_FLOATS weights,
   * handles from which each op builds W ⊙ M in its scratch, so the module does not hold a second copy of the
   * block (docs/real-models.md §2). Any other MaskSet is passed on as it is.
   */
  private moduleMasks(block: BlockWeights, masks: MaskSet): MaskSet {
    const e = masks && this.besaSets.get(masks);
    if (!e || e.block !== block) return masks;
    const k = this.kernels;
    const names = linearNames(this.spec);
    const keep = this.keepsMasked(block);
    const out: Partial<Record<LinearName, Float32Array>> = {};
    for (const n of names) {
      const { w, out: rows, in: cols } = linearOf(block, n);
      k.reset();
      if (!keep) {
        out[n] = this.wops.hardMaskHandle(e.order[n].sortIdx, e.counts[n]);
        continue;
      }
      const idx = k.orderSlot(`sortIdx.${n}`, e.order[n].sortIdx);
      const wm = k.slot(`wm.${n}`, rows * cols);
      if (wm.tag !== e) {
        k.view({ ptr: wm.ptr, length: rows * cols }).set(w);
        const c = k.put(e.counts[n]);
        k.applyHardMask(wm.ptr, idx, c.ptr, rows, cols, e.counts[n].length);
        k.reset();
        wm.tag = e;
      }
      out[n] = this.wops.maskHandle(wm, e);
    }
    return out;
  }

  /** Whether `block` is small enough to keep W ⊙ M and the sort orders in module slots for a BESA step. */
  private keepsMasked(block: BlockWeights): boolean {
    return linearNames(this.spec).reduce((a, n) => a + linearOf(block, n).w.length, 0) <= this.keepMaskedFloats;
  }

  /** The host executor's forward; with `save`, P stays in module memory for backward (the saved state is opaque). */
  override async forward(block: BlockWeights, X: Float32Array, masks: MaskSet, opts: ForwardOptions = {}): Promise<ForwardResult> {
    this.wops.probsMode = opts.save ? 'keep' : 'drop';
    try {
      return await super.forward(block, X, this.moduleMasks(block, masks), opts);
    } finally {
      this.wops.probsMode = 'host';
    }
  }

  protected override backwardOf(block: BlockWeights, masks: MaskSet, saved: unknown, dY: Float32Array, wantDx: boolean): BackwardResult {
    return super.backwardOf(block, this.moduleMasks(block, masks), saved, dY, wantDx);
  }

  /** Frees the module copy of the saved attention probabilities. */
  release(saved: unknown): void {
    const p = (saved as AnyBlockSaved | undefined)?.probs;
    if (p) this.wops.releaseProbs(p);
  }

  /**
   * The module's memory: reserved bytes, which only grow, so they are also the peak (the header and the
   * memory event show them as this engine's memory, as the GPU ledger is for WebGPU).
   */
  /** BESA's probabilities in the module (wasm/rows.ts besaProbabilities, V8's exp): bit-identical to the JS ones. */
  besaProbabilities(theta: Float32Array, G: number, D: number, useSigmoid: boolean, sig: Float64Array): Float32Array {
    return this.kernels.besaProbabilities(theta, G, D, useSigmoid, sig);
  }

  /** BESA's θ gradient in the module (wasm/optim.ts thetaGradFromPrefix), bit-identical to the JS one. */
  besaThetaGrad(
    preAtK: ArrayLike<number>,
    p: Float32Array,
    cand: Float32Array,
    G: number,
    useSigmoid: boolean,
    dLds: number,
    sig: Float64Array,
  ): Float32Array {
    return this.kernels.thetaGradFromPrefix(preAtK, p, cand, G, useSigmoid, dLds, sig);
  }

  /** Prodigy's state and passes in the module (src/wasm/prodigyStore.ts), bit-identical to the JS optimiser. */
  prodigyStore(thetas: Float32Array[]): ProdigyStore {
    return new WasmProdigyStore(this.kernels, thetas);
  }

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
    const k = this.kernels;
    const names = linearNames(this.spec);
    // the sort orders' slots first: slots are only made between ops, and the sink runs inside backward
    k.reset();
    // (a linear's order is copied in once per order: it is fixed for a block, as on the GPU)
    // a large block's orders are copied into the op's scratch instead (as its W ⊙ M is, moduleMasks)
    const keep = this.keepsMasked(block);
    const idx = new Map(
      names.map((n) => [linearOf(block, n).w, { n, order: keep ? k.orderSlot(`sortIdx.${n}`, order[n].sortIdx) : null }]),
    );
    const out = {} as Record<LinearName, ArrayLike<number>>;
    // dL/dM of each linear becomes Pre_r(k_d) [rows, D] while it is still in module memory
    this.wops.maskGradSink = (w, gm, rows, cols) => {
      const e = idx.get(w as Float32Array);
      if (!e) throw new Error('WasmBlockExecutor.besaPrefix: a mask gradient of a weight not in this block (internal error)');
      const kd = k.put(order[e.n].kd); // [D] i32
      out[e.n] = k.prefixAtCandidates(gm.ptr, e.order ?? k.putOrder(order[e.n].sortIdx), kd.ptr, rows, cols, rows, order[e.n].kd.length);
      return NO_HOST_GRAD;
    };
    try {
      this.backwardOf(block, masks, saved, dY, false);
    } finally {
      this.wops.maskGradSink = null;
    }
    for (const n of names) if (!out[n]) throw new Error(`WasmBlockExecutor.besaPrefix: no mask gradient came for ${n} (internal error)`);
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
