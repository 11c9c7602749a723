// BlockExecutor: the one seam between the pruning pipeline and the hardware. The pipeline and every
// method (BESA, Wanda, SparseGPT, magnitude) only talk to a decoder block through this interface, so
// the CPU reference (here) and the WebGPU implementation run the very same loop (docs/architecture.md:
// browser and CLI run the same engine).
//   forward(block, X [T,C], masks|null) → Y [T,C] (+ opaque saved state, + the 4 distinct linear inputs)
//   backward(saved, dY [T,C])           → dX [T,C] and dL/dM [out,in] for all 7 linears (docs/besa.md §1.5)
import { prefixAtCandidates } from '../core/besa/grad';
import { hardMask } from '../core/besa/masks';
import { reconLoss } from '../core/ops/reconLoss';
import { REFERENCE_OPS, type BlockOps } from '../core/ops/block';
import { archBlockBackward, archBlockForward, savedLinearInputs, type AnyBlockSaved } from '../core/ops/archBlock';
import { blockLinearNames, linearNames, linearOf, type BlockWeights, type LinearName, type ModelSpec } from '../model/spec';
import type { SortOrder } from '../core/besa/importance';
import type { ProdigyStore } from '../core/optim/prodigy';

/** Per-linear masks (values in {0,1} for hard masks), [out, in] each; missing = dense. */
export type MaskSet = Partial<Record<LinearName, Float32Array>> | null;

/**
 * The inputs of the block's linears (docs/besa.md §1.2: the hooks see these in the dense pass). q/k/v share attnIn,
 * gate/up (GPT-2: fc) share mlpIn, so 4 arrays cover every linear of either architecture.
 */
export interface LinearInputs {
  attnIn: Float32Array; // [T, C]   norm(x) → q, k, v
  oIn: Float32Array; // [T, H·D]    attention output → o
  mlpIn: Float32Array; // [T, C]    norm(x1) → gate, up (gpt2: fc)
  downIn: Float32Array; // [T, F]   swiglu(gate, up) → down (gpt2: gelu(fc) → proj)
}

export function linearInputOf(inputs: LinearInputs, n: LinearName): Float32Array {
  if (n === 'q' || n === 'k' || n === 'v') return inputs.attnIn;
  if (n === 'o') return inputs.oIn;
  if (n === 'down' || n === 'proj') return inputs.downIn;
  return inputs.mlpIn;
}

export interface ForwardOptions {
  /** Keep what backward needs (BESA training step). */
  save?: boolean;
  /** Return the 7 linears' inputs (dense statistics pass, docs/besa.md §1.2/§4). */
  collectInputs?: boolean;
}

export interface ForwardResult {
  y: Float32Array; // [T, C]
  /** Opaque; pass to backward() of the same executor, then release(). */
  saved?: unknown;
  inputs?: LinearInputs;
}

export interface BackwardOptions {
  /** Also return dX (BESA trains one block at a time and does not need it; the GPU then skips the readback). */
  wantDx?: boolean;
}

export interface BackwardResult {
  dx?: Float32Array; // [T, C], when wantDx (the CPU executor always fills it)
  /** dL/dM = (dYᵀ X_in) ⊙ W per linear, [out, in] (gradient at M = M_hard, straight-through). */
  maskGrads: Record<LinearName, Float32Array>;
}

/** Per linear: BESA's stable ascending sort order [rows, cols] and candidate prune counts k_d [D]. */
export type BesaOrder = Record<LinearName, { sortIdx: SortOrder; kd: Int32Array }>;

/** BESA's hard-mask prune counts n_g per logit group (docs/besa.md §1.5), [G] per linear: G = rows row-wise, 1 layer-wise. */
export type BesaCounts = Record<LinearName, Int32Array>;

/**
 * BESA's hard masks given by counts + order (docs/besa.md §1.5: M[r, sortIdx[r, j]] = 0 for j < n_g(r), else 1),
 * as an ordinary MaskSet whose [out, in] arrays hardMask builds on first read and then caches. Executors
 * that read masks (the CPU reference, tests that inspect them) see exactly the arrays besaBlock built
 * before; an executor that builds the masks itself (besaHardMasks) never reads them, so no per-step
 * host mask is made; and a handle it does not recognise still expands correctly, never to "dense".
 */
export function lazyHardMasks(block: BlockWeights, order: BesaOrder, counts: BesaCounts): NonNullable<MaskSet> {
  const set: Partial<Record<LinearName, Float32Array>> = {};
  for (const n of blockLinearNames(block)) {
    let m: Float32Array | null = null;
    const l = linearOf(block, n);
    Object.defineProperty(set, n, {
      enumerable: true,
      get: () => (m ??= hardMask(counts[n], order[n].sortIdx, l.out, l.in)),
    });
  }
  return set;
}

/** What one BESA optimiser step needs from the executor (docs/besa.md §1.5–§1.6). */
export interface BesaStepResult {
  /** L_rec of the step's sequence (docs/besa.md §1.6). */
  reconLoss: number;
  /** Pre_r(k_d) per linear, [rows, D] (as besaPrefix returns). */
  pre: Record<LinearName, ArrayLike<number>>;
}

/**
 * One BESA step from an executor's basic operations (for executors without besaStep): masks from the counts,
 * forward with saved state, L_rec and dL/dY on the host (src/core/ops/reconLoss.ts), besaPrefix.
 */
export async function besaStepOf(
  exec: BlockExecutor,
  block: BlockWeights,
  order: BesaOrder,
  counts: BesaCounts,
  X: Float32Array /*[T,C]*/,
  Yref: Float32Array /*[T,C]*/,
): Promise<BesaStepResult> {
  const masks = exec.besaHardMasks ? exec.besaHardMasks(block, order, counts) : lazyHardMasks(block, order, counts);
  const fw = await exec.forward(block, X, masks, { save: true });
  const C = exec.spec.dim;
  const rec = reconLoss(fw.y, Yref, X.length / C, C); // l2_alpha = 1 (docs/besa.md §1.6)
  const pre = await exec.besaPrefix(block, masks, fw.saved, rec.dy, order);
  exec.release?.(fw.saved);
  return { reconLoss: rec.loss, pre };
}

export interface ManyOptions {
  /** Return the 7 linears' inputs of every sequence (the dense statistics pass). */
  collectInputs?: boolean;
  /** Awaited before every chunk after the first (and between sequences on the fallback): may throw to cancel. */
  between?: () => Promise<void>;
}

/** forward() of every sequence without masks, through forwardMany where the executor has it. */
export async function forwardAll(
  exec: BlockExecutor,
  block: BlockWeights,
  Xs: Float32Array[],
  opts: ManyOptions = {},
): Promise<ForwardResult[]> {
  if (exec.forwardMany) return exec.forwardMany(block, Xs, opts);
  const out: ForwardResult[] = [];
  for (let b = 0; b < Xs.length; b++) {
    if (b > 0) await opts.between?.();
    out.push(await exec.forward(block, Xs[b], null, { collectInputs: opts.collectInputs }));
  }
  return out;
}

export interface ExecutorMemory {
  liveBytes: number;
  peakBytes: number;
}

export interface BlockExecutor {
  readonly kind: 'cpu' | 'gpu' | 'wasm';
  /** Human-readable device, recorded in the run report (GPU adapter description or 'cpu'). */
  readonly adapter: string;
  readonly spec: ModelSpec;
  forward(block: BlockWeights, X: Float32Array, masks: MaskSet, opts?: ForwardOptions): Promise<ForwardResult>;
  backward(block: BlockWeights, masks: MaskSet, saved: unknown, dY: Float32Array, opts?: BackwardOptions): Promise<BackwardResult>;
  /**
   * BESA's backward (docs/besa.md §1.5, prefix-sum form): run the backward of the saved forward, then for
   * every linear and output row r return Pre_r(k_d) = Σ_{j<k_d} dL/dM[r, sortIdx[r, j]], [rows, D].
   * This is the heavy half of dL/dθ; the GPU computes it without reading dL/dM back.
   */
  besaPrefix(
    block: BlockWeights,
    masks: MaskSet,
    saved: unknown,
    dY: Float32Array,
    order: BesaOrder,
  ): Promise<Record<LinearName, ArrayLike<number>>>;
  /**
   * Optional capability (docs/besa.md §1.5): build BESA's step masks from the per-group prune counts where the
   * executor computes (the GPU: a scatter kernel from the sortIdx it already holds for besaPrefix, so a
   * step uploads the counts, a few KB, instead of every [out, in] mask). Returns the MaskSet to pass to
   * this executor's forward/besaPrefix; it is lazyHardMasks(block, order, counts), so it stays a valid
   * MaskSet everywhere else. An optional method rather than a new MaskSet variant keeps MaskSet, the CPU
   * executor and every caller unchanged; besaBlock falls back to lazyHardMasks when it is absent.
   */
  besaHardMasks?(block: BlockWeights, order: BesaOrder, counts: BesaCounts): NonNullable<MaskSet>;
  /**
   * Optional capability: BESA's p = softmax(σ(θ)) (src/core/besa/sparsity.ts probabilities(θ, G, D,
   * useSigmoid, sig), which it must equal bit for bit, σ(θ) into `sig` included) where the executor computes:
   * the WASM module runs it with V8's exp algorithm (wasm/exp.ts). besaBlock uses probabilities when absent.
   */
  besaProbabilities?(theta: Float32Array, G: number, D: number, useSigmoid: boolean, sig: Float64Array): Float32Array;
  /**
   * Optional capability: where BESA's Prodigy keeps its per-tensor state and runs its elementwise passes
   * (src/core/optim/prodigy.ts ProdigyStore, bit-identical to the JS loops): the WASM module keeps them in
   * its memory for the block. besaBlock uses host arrays when absent.
   */
  prodigyStore?(thetas: Float32Array[]): ProdigyStore;
  /**
   * Optional capability: BESA's dL/dθ from the prefix sums (src/core/besa/grad.ts thetaGradFromPrefix with
   * σ(θ) given, which it must equal bit for bit) where the executor computes. besaBlock uses the JS one when absent.
   */
  besaThetaGrad?(
    preAtK: ArrayLike<number>,
    p: Float32Array,
    cand: Float32Array,
    G: number,
    useSigmoid: boolean,
    dLds: number,
    sig: Float64Array,
  ): Float32Array;
  /**
   * Optional capability: the whole BESA step where the executor computes (besaStepOf's result, without the
   * host round trips). The GPU records masks, forward, L_rec and dL/dY, backward and the prefix sums as
   * one submit and reads back L_rec and the prefixes at once (docs/speed.md §2). besaBlock uses besaStepOf
   * when it is absent.
   */
  besaStep?(block: BlockWeights, order: BesaOrder, counts: BesaCounts, X: Float32Array, Yref: Float32Array): Promise<BesaStepResult>;
  /**
   * Optional capability: the unmasked forward of many sequences of one length (the pipeline's dense and pruned
   * passes), equal to forward() on each. The GPU runs chunks of sequences as one batch (docs/speed.md §6);
   * `between` is awaited between chunks (cancellation). forwardAll falls back to forward() per sequence.
   */
  forwardMany?(block: BlockWeights, Xs: Float32Array[], opts?: ManyOptions): Promise<ForwardResult[]>;
  /**
   * Optional: refuse a run this executor cannot do before any work (the GPU: buffers over the adapter's
   * limits, src/gpu/limits.ts); throws a named error listing every problem. runPruneJob calls it first.
   */
  checkRun?(run: { seqlen: number; evalSeqlen?: number }): void;
  /** Free saved state early (GPU buffers); a no-op on the CPU. */
  release?(saved: unknown): void;
  /**
   * Finish queued work and throw (GpuRunError) if the device reported an error nobody caught during
   * `phase` (docs/reliability.md). The pipeline calls it before committing a block; absent on the host.
   */
  checkDevice?(phase: string): Promise<void>;
  /** Accelerator memory (GPU ledger); undefined on the CPU. */
  memory?(): ExecutorMemory;
  dispose?(): void;
}

export class ExecutorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutorInputError';
  }
}

export function tokensOf(spec: ModelSpec, X: Float32Array, who: string): number {
  const T = X.length / spec.dim;
  if (!Number.isInteger(T) || T < 1)
    throw new ExecutorInputError(
      `${who}: X has ${X.length} values, not a positive multiple of dim ${spec.dim}; pass X as row-major [T, C]`,
    );
  return T;
}

/**
 * An executor that runs the block on this thread, on the f32 reference block (src/core/ops/block.ts)
 * with pluggable heavy ops: the reference ops (CpuBlockExecutor, the oracle for the others) or the
 * WASM SIMD products (src/prune/wasmExecutor.ts).
 */
export abstract class HostBlockExecutor implements BlockExecutor {
  abstract readonly kind: 'cpu' | 'wasm';
  abstract readonly adapter: string;
  constructor(
    readonly spec: ModelSpec,
    protected readonly ops: BlockOps,
  ) {}

  async forward(block: BlockWeights, X: Float32Array, masks: MaskSet, opts: ForwardOptions = {}): Promise<ForwardResult> {
    const T = tokensOf(this.spec, X, `${this.constructor.name}.forward`);
    const { y, saved } = archBlockForward(this.spec, block, masks, X, T, this.ops);
    const res: ForwardResult = { y };
    if (opts.save) res.saved = saved;
    if (opts.collectInputs) res.inputs = savedLinearInputs(saved);
    return res;
  }

  async backward(block: BlockWeights, masks: MaskSet, saved: unknown, dY: Float32Array): Promise<BackwardResult> {
    return this.backwardOf(block, masks, saved, dY, true);
  }

  /** backward(); wantDx = false leaves dx out (besaPrefix: BESA needs only dL/dM, as the GPU step skips dL/dX). */
  protected backwardOf(block: BlockWeights, masks: MaskSet, saved: unknown, dY: Float32Array, wantDx: boolean): BackwardResult {
    const s = saved as AnyBlockSaved | undefined;
    if (!s || typeof s !== 'object' || !('probs' in s))
      throw new ExecutorInputError(
        `${this.constructor.name}.backward: \`saved\` must come from forward(..., { save: true }) of this executor`,
      );
    const { dx, dMask } = archBlockBackward(this.spec, block, masks, s, dY, this.ops, wantDx);
    const maskGrads = {} as Record<LinearName, Float32Array>;
    for (const n of linearNames(this.spec)) maskGrads[n] = dMask[n];
    return wantDx ? { dx, maskGrads } : { maskGrads };
  }

  async besaPrefix(
    block: BlockWeights,
    masks: MaskSet,
    saved: unknown,
    dY: Float32Array,
    order: BesaOrder,
  ): Promise<Record<LinearName, ArrayLike<number>>> {
    const { maskGrads } = this.backwardOf(block, masks, saved, dY, false);
    const out = {} as Record<LinearName, ArrayLike<number>>;
    for (const n of linearNames(this.spec)) {
      const { out: rows, in: cols } = linearOf(block, n);
      out[n] = prefixAtCandidates(maskGrads[n], order[n].sortIdx, order[n].kd, rows, cols, rows);
    }
    return out;
  }
}

/** CPU executor on the reference ops (f32 storage / f64 accumulation); the oracle for the other executors. */
export class CpuBlockExecutor extends HostBlockExecutor {
  readonly kind = 'cpu' as const;
  readonly adapter = 'cpu (reference ops, f32 storage / f64 accumulation)';
  constructor(spec: ModelSpec) {
    super(spec, REFERENCE_OPS);
  }
}
