// BlockExecutor on WebGPU (src/gpu/block.ts): the same interface as the CPU reference, so the pipeline
// and every method run unchanged on the GPU. Works in the browser Worker and in Node (Dawn).
// Buffers: block weights are uploaded once per BlockWeights object (a 2-entry cache: the dense block
// being pruned and its pruned copy for the chain pass); activations, gradients, X, dY and mask buffers
// are allocated once per sequence length and reused. Only Y (and, on request, the linears' inputs,
// dX and dL/dM) are read back.
// BESA steps (docs/besa.md §1.5): besaHardMasks scatters M_hard into the mask buffers on the device from the
// per-group counts n_g (shaders/besa_hard_mask.wgsl) and the sortIdx buffers uploaded once per block for
// besa_prefix_grad, so a step uploads 4·G bytes per linear instead of 4·out·in.
import {
  createBlockActivations,
  createBlockGrads,
  blockBackwardGpu,
  blockForwardGpu,
  destroyBlockBuffers,
  type BlockActivationsGpu,
  type BlockGradsGpu,
  type BlockWeightsGpu,
} from '../gpu/block';
import { adapterLabel } from '../gpu/capabilities';
import { checkAdapterLimits } from '../gpu/limits';
import { besaHardMask, besaPrefixAtK } from '../gpu/kernels/besaMasks';
import { reconLoss } from '../gpu/kernels/reconLoss';
import { blockForwardBatchGpu, createBlockBatch, destroyBlockBatch, sequencesPerChunk } from '../gpu/blockBatch';
import { groupSize } from '../core/besa/masks';
import type { GpuRuntime } from '../gpu/runtime';
import { blockArch, linearNames, linearOf, type BlockWeights, type LinearName, type ModelSpec } from '../model/spec';
import {
  ExecutorInputError,
  lazyHardMasks,
  tokensOf,
  type BesaCounts,
  type BackwardOptions,
  type BackwardResult,
  type BesaOrder,
  type BlockExecutor,
  type ExecutorMemory,
  type ForwardOptions,
  type ForwardResult,
  type ManyOptions,
  type MaskSet,
} from './executor';

/** Activation bytes one batched chunk of the dense / pruned passes may take (docs/speed.md §6). */
export const BATCH_BUDGET_BYTES = 64 * 2 ** 20;

interface Workspace {
  T: number;
  act: BlockActivationsGpu;
  grads: BlockGradsGpu | null;
  x: GPUBuffer; // [T, C]
  dy: GPUBuffer; // [T, C]
  /** besaStep only: the target Y_ref [T, C], L_rec [1] and its per-channel partial sums [C]. */
  loss: { yRef: GPUBuffer; value: GPUBuffer; partial: GPUBuffer } | null;
}

/** Handle returned as `saved`: valid until the next forward of this executor. */
interface GpuSaved {
  gen: number;
  block: BlockWeights;
  masks: MaskSet;
}

export class GpuBlockExecutor implements BlockExecutor {
  readonly kind = 'gpu' as const;
  readonly adapter: string;
  /** The linears of this model's blocks (docs/gpt2.md §3), in their fixed order. */
  private readonly names: readonly LinearName[];
  private weights: { block: BlockWeights; gpu: BlockWeightsGpu }[] = [];
  private ws: Workspace | null = null;
  private maskBufs = new Map<LinearName, GPUBuffer>();
  private writtenMasks: MaskSet = null;
  /** True when maskBufs hold writtenMasks because besaHardMasks built them on the device (never read its arrays). */
  private writtenOnDevice = false;
  private countBufs = new Map<LinearName, GPUBuffer>();
  private gen = 0;
  /** Activation bytes per batched chunk of forwardMany (tests shrink it to force several chunks). */
  batchBudget = BATCH_BUDGET_BYTES;
  /** BESA order buffers per linear, re-uploaded when a new BesaOrder object arrives (once per block). */
  private besaOrder: { order: BesaOrder; bufs: Record<LinearName, { sortIdx: GPUBuffer; kd: GPUBuffer; pre: GPUBuffer }> } | null = null;

  constructor(
    readonly rt: GpuRuntime,
    readonly spec: ModelSpec,
  ) {
    this.names = linearNames(spec);
    this.adapter = adapterLabel(rt.caps);
    rt.ledger.resetPeak(); // the report's peak GPU bytes are this executor's run (plus what is live now)
  }

  private uploadBlock(block: BlockWeights): BlockWeightsGpu {
    const hit = this.weights.find((e) => e.block === block);
    if (hit) return hit.gpu;
    const rt = this.rt;
    // At most 2 blocks live (a block's dense and pruned weights), and the oldest goes BEFORE the new one
    // is uploaded: evicting after would hold 3 blocks at the peak (tests/gpu/realShapeMemory.test.ts).
    if (this.weights.length >= 2) this.destroyWeights(this.weights.shift()!.gpu);
    const lin = {} as Record<LinearName, BlockWeightsGpu[LinearName]>;
    for (const n of this.names) {
      const l = linearOf(block, n);
      lin[n] = { w: rt.upload(l.w, `exec.${n}.w`), b: l.b ? rt.upload(l.b, `exec.${n}.b`) : null, out: l.out, in: l.in };
    }
    const gpu: BlockWeightsGpu = {
      ...lin,
      attnNorm: rt.upload(block.attnNorm, 'exec.attnNorm'),
      mlpNorm: rt.upload(block.mlpNorm, 'exec.mlpNorm'),
    };
    if (blockArch(this.spec) === 'gpt2') {
      // LayerNorm biases; zeros for nanoGPT's bias=False (the kernel always adds one)
      const zeros = () => new Float32Array(this.spec.dim);
      gpu.attnNormBias = rt.upload(block.attnNormBias ?? zeros(), 'exec.attnNormBias');
      gpu.mlpNormBias = rt.upload(block.mlpNormBias ?? zeros(), 'exec.mlpNormBias');
    }
    this.weights.push({ block, gpu });
    return gpu;
  }

  private destroyWeights(g: BlockWeightsGpu): void {
    this.rt.flush();
    this.rt.destroy(g.attnNorm, g.mlpNorm, g.attnNormBias, g.mlpNormBias);
    for (const n of this.names) this.rt.destroy(g[n].w, g[n].b);
  }

  private workspace(T: number, needGrads: boolean): Workspace {
    const rt = this.rt;
    if (this.ws && this.ws.T !== T) {
      this.freeWorkspace();
    }
    if (!this.ws) {
      const C = this.spec.dim;
      this.ws = {
        T,
        act: createBlockActivations(rt, this.spec, T),
        grads: null,
        x: rt.createBuffer(T * C * 4, 'exec.x'),
        dy: rt.createBuffer(T * C * 4, 'exec.dy'),
        loss: null,
      };
    }
    if (needGrads && !this.ws.grads) this.ws.grads = createBlockGrads(rt, this.spec, T);
    return this.ws;
  }

  private freeWorkspace(): void {
    const ws = this.ws;
    if (!ws) return;
    destroyBlockBuffers(this.rt, ws.act);
    if (ws.grads) destroyBlockBuffers(this.rt, ws.grads);
    this.rt.destroy(ws.x, ws.dy, ws.loss?.yRef, ws.loss?.value, ws.loss?.partial);
    this.ws = null;
  }

  /** Persistent per-linear buffer of `elems` 4-byte values in `map` (re-created when the size changes). */
  private persistent(map: Map<LinearName, GPUBuffer>, n: LinearName, elems: number, label: string): GPUBuffer {
    let buf = map.get(n);
    if (!buf || buf.size !== Math.max(16, Math.ceil((elems * 4) / 16) * 16)) {
      if (buf) {
        this.rt.flush();
        this.rt.destroy(buf);
      }
      buf = this.rt.createBuffer(elems * 4, label);
      map.set(n, buf);
    }
    return buf;
  }

  /** Upload the masks (once per MaskSet object) into persistent per-linear buffers. */
  private gpuMasks(masks: MaskSet): Partial<Record<LinearName, GPUBuffer>> | null {
    if (!masks) return null;
    const out: Partial<Record<LinearName, GPUBuffer>> = {};
    if (masks === this.writtenMasks && this.writtenOnDevice) {
      for (const n of this.names) out[n] = this.maskBufs.get(n)!;
      return out;
    }
    // queue writes land before commands not yet submitted: submit whatever may still use the old masks
    if (this.writtenMasks !== masks) this.rt.flush();
    for (const n of this.names) {
      const m = masks[n];
      if (!m) continue;
      const buf = this.persistent(this.maskBufs, n, m.length, `exec.mask.${n}`);
      if (this.writtenMasks !== masks) this.rt.write(buf, m);
      out[n] = buf;
    }
    this.writtenMasks = masks;
    this.writtenOnDevice = false;
    return out;
  }

  /**
   * BESA step masks built on the device (docs/besa.md §1.5, BlockExecutor.besaHardMasks): upload n_g [G] per
   * linear, scatter M[r, sortIdx[r, j]] = (j ≥ n_g(r)) into the mask buffers. The returned lazy MaskSet is
   * recognised by identity in gpuMasks (its arrays are never built); a stale one falls back to uploading.
   */
  besaHardMasks(block: BlockWeights, order: BesaOrder, counts: BesaCounts): NonNullable<MaskSet> {
    const bufs = this.besaBuffers(order, block);
    const handle = lazyHardMasks(block, order, counts);
    this.rt.flush(); // the count writes below must not overtake recorded work that reads the old counts/masks
    for (const n of this.names) {
      const { out: rows, in: cols } = linearOf(block, n);
      const c = counts[n];
      const nBuf = this.persistent(this.countBufs, n, c.length, `exec.besa.${n}.n`);
      this.rt.write(nBuf, new Uint32Array(c.buffer, c.byteOffset, c.length)); // 0 ≤ n_g ≤ cols
      besaHardMask(
        this.rt,
        bufs[n].sortIdx,
        nBuf,
        this.persistent(this.maskBufs, n, rows * cols, `exec.mask.${n}`),
        rows,
        cols,
        groupSize(rows, c.length),
      );
    }
    this.writtenMasks = handle;
    this.writtenOnDevice = true;
    return handle;
  }

  async forward(block: BlockWeights, X: Float32Array, masks: MaskSet, opts: ForwardOptions = {}): Promise<ForwardResult> {
    const T = tokensOf(this.spec, X, 'GpuBlockExecutor.forward');
    const ws = this.workspace(T, !!opts.save);
    const w = this.uploadBlock(block);
    this.rt.write(ws.x, X);
    blockForwardGpu(this.rt, this.spec, w, this.gpuMasks(masks), ws.x, ws.act, T);
    const gen = ++this.gen;
    const a = ws.act;
    const { dim: C, nHeads: H, headDim: D, ffnDim: F } = this.spec;
    const wanted = [{ buffer: a.y, bytes: T * C * 4 }];
    if (opts.collectInputs)
      wanted.push(
        { buffer: a.n1, bytes: T * C * 4 },
        { buffer: a.att, bytes: T * H * D * 4 },
        { buffer: a.n2, bytes: T * C * 4 },
        { buffer: a.h, bytes: T * F * 4 },
      );
    const got = await this.rt.readMany(wanted); // one readback for Y and the linears' inputs
    const res: ForwardResult = { y: got[0] };
    if (opts.collectInputs) res.inputs = { attnIn: got[1], oIn: got[2], mlpIn: got[3], downIn: got[4] };
    if (opts.save) res.saved = { gen, block, masks } satisfies GpuSaved;
    return res;
  }

  /**
   * The dense / pruned passes (BlockExecutor.forwardMany, docs/speed.md §6): chunks of as many sequences as
   * BATCH_BUDGET_BYTES allows run as one batch (one dispatch per linear over all their rows) and come back in
   * one readback per chunk. The batch buffers live for this call only.
   */
  async forwardMany(block: BlockWeights, Xs: Float32Array[], opts: ManyOptions = {}): Promise<ForwardResult[]> {
    if (Xs.length === 0) return [];
    const T = tokensOf(this.spec, Xs[0], 'GpuBlockExecutor.forwardMany');
    const bad = Xs.findIndex((x) => x.length !== Xs[0].length);
    if (bad >= 0)
      throw new ExecutorInputError(
        `GpuBlockExecutor.forwardMany: sequence ${bad} has ${Xs[bad].length} values, sequence 0 has ${Xs[0].length}; pass sequences of one length`,
      );
    const rt = this.rt;
    const { dim: C, nHeads: H, headDim: D, ffnDim: F } = this.spec;
    const w = this.uploadBlock(block);
    const per = Math.min(Xs.length, sequencesPerChunk(rt, this.spec, T, this.batchBudget));
    const a = createBlockBatch(rt, this.spec, T, per);
    const out: ForwardResult[] = [];
    try {
      for (let s0 = 0; s0 < Xs.length; s0 += per) {
        if (s0 > 0) await opts.between?.();
        const n = Math.min(per, Xs.length - s0);
        for (let i = 0; i < n; i++) rt.write(a.x, Xs[s0 + i], i * T * C * 4);
        blockForwardBatchGpu(rt, this.spec, w, a, n);
        const widths = opts.collectInputs ? [C, C, H * D, C, F] : [C];
        const bufs = opts.collectInputs ? [a.y, a.n1, a.att, a.n2, a.h] : [a.y];
        const got = await rt.readMany(bufs.map((buffer, k) => ({ buffer, bytes: n * T * widths[k] * 4 })));
        for (let i = 0; i < n; i++) {
          const part = got.map((g, k) => g.subarray(i * T * widths[k], (i + 1) * T * widths[k]));
          const r: ForwardResult = { y: part[0].slice() }; // its own buffer: Y outlives the chunk's inputs
          if (opts.collectInputs) r.inputs = { attnIn: part[1], oIn: part[2], mlpIn: part[3], downIn: part[4] };
          out.push(r);
        }
      }
    } finally {
      destroyBlockBatch(rt, a);
    }
    return out;
  }

  /** Record the backward of the latest forward; dL/dM stays on the device in ws.grads.dMask. */
  private recordBackward(block: BlockWeights, masks: MaskSet, saved: unknown, dY: Float32Array, needDx = true): Workspace {
    const s = saved as GpuSaved | undefined;
    if (!s || typeof s.gen !== 'number')
      throw new ExecutorInputError('GpuBlockExecutor.backward: `saved` must come from forward(..., { save: true }) of this executor');
    if (s.gen !== this.gen || s.block !== block || s.masks !== masks)
      throw new ExecutorInputError(
        'GpuBlockExecutor.backward: the GPU keeps only the latest forward; call backward right after its forward with the same block and masks',
      );
    const ws = this.ws!;
    const T = ws.T;
    tokensOf(this.spec, dY, 'GpuBlockExecutor.backward (dY)');
    if (dY.length !== T * this.spec.dim)
      throw new ExecutorInputError(`GpuBlockExecutor.backward: dY has ${dY.length} values, the forward had T·C = ${T * this.spec.dim}`);
    this.rt.write(ws.dy, dY);
    blockBackwardGpu(this.rt, this.spec, this.uploadBlock(block), this.gpuMasks(masks), ws.x, ws.act, ws.dy, ws.grads!, T, { needDx });
    return ws;
  }

  async backward(
    block: BlockWeights,
    masks: MaskSet,
    saved: unknown,
    dY: Float32Array,
    opts: BackwardOptions = {},
  ): Promise<BackwardResult> {
    const ws = this.recordBackward(block, masks, saved, dY);
    const g = ws.grads!;
    const maskGrads = {} as Record<LinearName, Float32Array>;
    for (const n of this.names) maskGrads[n] = await this.rt.read(g.dMask[n], linearOf(block, n).out * linearOf(block, n).in * 4);
    return opts.wantDx ? { dx: await this.rt.read(g.dx, ws.T * this.spec.dim * 4), maskGrads } : { maskGrads };
  }

  /** Upload the sort orders and k_d once per BesaOrder (i.e. once per block). */
  private besaBuffers(order: BesaOrder, block: BlockWeights): Record<LinearName, { sortIdx: GPUBuffer; kd: GPUBuffer; pre: GPUBuffer }> {
    if (this.besaOrder?.order === order) return this.besaOrder.bufs;
    this.freeBesaBuffers();
    const bufs = {} as Record<LinearName, { sortIdx: GPUBuffer; kd: GPUBuffer; pre: GPUBuffer }>;
    for (const n of this.names) {
      const { sortIdx, kd } = order[n];
      // shaders/besa_prefix_grad.wgsl splits a row into the segments between consecutive k_d
      for (let d = 0; d < kd.length; d++)
        if (kd[d] < 0 || kd[d] > linearOf(block, n).in || (d > 0 && kd[d] > kd[d - 1]))
          throw new ExecutorInputError(
            `GpuBlockExecutor: BESA order.${n}.kd must descend within [0, ${linearOf(block, n).in}] (k_d = int(cols·cand_d), cand 1 → 0); k_${d} = ${kd[d]}`,
          );
      bufs[n] = {
        // WGSL has no 16-bit storage: a u16 order is widened for the upload, one linear at a time
        sortIdx: this.rt.upload(
          sortIdx instanceof Int32Array ? new Uint32Array(sortIdx.buffer, sortIdx.byteOffset, sortIdx.length) : Uint32Array.from(sortIdx),
          `exec.besa.${n}.sortIdx`,
        ),
        kd: this.rt.upload(new Uint32Array(kd.buffer, kd.byteOffset, kd.length), `exec.besa.${n}.kd`),
        pre: this.rt.createBuffer(linearOf(block, n).out * kd.length * 4, `exec.besa.${n}.pre`),
      };
    }
    this.besaOrder = { order, bufs };
    return bufs;
  }

  private freeBesaBuffers(): void {
    if (!this.besaOrder) return;
    this.rt.flush();
    for (const b of Object.values(this.besaOrder.bufs)) this.rt.destroy(b.sortIdx, b.kd, b.pre);
    this.besaOrder = null;
  }

  async besaPrefix(
    block: BlockWeights,
    masks: MaskSet,
    saved: unknown,
    dY: Float32Array,
    order: BesaOrder,
  ): Promise<Record<LinearName, ArrayLike<number>>> {
    const ws = this.recordBackward(block, masks, saved, dY, false);
    const [, pre] = await this.prefixAndRead(block, order, ws, null);
    return pre;
  }

  /** Record the 7 prefix-sum passes on ws.grads.dMask, then read them (and `lossBuf`'s scalar) in one readback. */
  private async prefixAndRead(
    block: BlockWeights,
    order: BesaOrder,
    ws: Workspace,
    lossBuf: GPUBuffer | null,
  ): Promise<[number, Record<LinearName, Float32Array>]> {
    const bufs = this.besaBuffers(order, block);
    const ranges = lossBuf ? [{ buffer: lossBuf, bytes: 4 }] : [];
    for (const n of this.names) {
      const { out: rows, in: cols } = linearOf(block, n);
      const D = order[n].kd.length;
      besaPrefixAtK(this.rt, ws.grads!.dMask[n], bufs[n].sortIdx, bufs[n].kd, bufs[n].pre, rows, cols, D);
      ranges.push({ buffer: bufs[n].pre, bytes: rows * D * 4 });
    }
    const got = await this.rt.readMany(ranges);
    const pre = {} as Record<LinearName, Float32Array>;
    const first = lossBuf ? 1 : 0;
    this.names.forEach((n, i) => (pre[n] = got[first + i]));
    return [lossBuf ? got[0][0] : NaN, pre];
  }

  /**
   * The whole BESA step on the device (BlockExecutor.besaStep, docs/speed.md §2): counts → M_hard (scatter),
   * forward, L_rec and dL/dY (shaders/recon_loss.wgsl), backward without dL/dX, the prefix sums; X, Y_ref
   * and the counts go up with queue writes, and L_rec with the [rows, D] prefixes come back in ONE readback
   * (one submit). Nothing is saved across calls: the next forward/backward starts afresh.
   */
  async besaStep(block: BlockWeights, order: BesaOrder, counts: BesaCounts, X: Float32Array, Yref: Float32Array) {
    const T = tokensOf(this.spec, X, 'GpuBlockExecutor.besaStep');
    if (Yref.length !== X.length)
      throw new ExecutorInputError(
        `GpuBlockExecutor.besaStep: Yref has ${Yref.length} values, X has ${X.length}; pass the target of this X`,
      );
    const rt = this.rt;
    const C = this.spec.dim;
    const ws = this.workspace(T, true);
    ws.loss ??= {
      yRef: rt.createBuffer(T * C * 4, 'exec.besa.yRef'),
      value: rt.createBuffer(4, 'exec.besa.loss'),
      partial: rt.createBuffer(C * 4, 'exec.besa.lossPartial'),
    };
    const w = this.uploadBlock(block); // before anything is recorded: an eviction flushes
    const masks = this.gpuMasks(this.besaHardMasks(block, order, counts));
    ++this.gen; // any saved forward handle is stale from here on
    rt.write(ws.x, X);
    rt.write(ws.loss.yRef, Yref);
    blockForwardGpu(rt, this.spec, w, masks, ws.x, ws.act, T);
    reconLoss(rt, { y: ws.act.y, yRef: ws.loss.yRef, dy: ws.dy, loss: ws.loss.value, partial: ws.loss.partial, T, C });
    blockBackwardGpu(rt, this.spec, w, masks, ws.x, ws.act, ws.dy, ws.grads!, T, { needDx: false });
    const [loss, pre] = await this.prefixAndRead(block, order, ws, ws.loss.value);
    return { reconLoss: loss, pre };
  }

  checkRun(run: { seqlen: number; evalSeqlen?: number }): void {
    checkAdapterLimits(this.spec, run, this.rt.caps.limits, this.adapter);
  }

  checkDevice(phase: string): Promise<void> {
    return this.rt.checkErrors(phase);
  }

  memory(): ExecutorMemory {
    const s = this.rt.ledger.snapshot();
    return { liveBytes: s.liveBytes, peakBytes: s.peakBytes };
  }

  dispose(): void {
    this.freeWorkspace();
    this.freeBesaBuffers();
    for (const e of this.weights) this.destroyWeights(e.gpu);
    this.weights = [];
    this.rt.destroy(...this.maskBufs.values(), ...this.countBufs.values());
    this.maskBufs.clear();
    this.countBufs.clear();
    this.writtenMasks = null;
    this.writtenOnDevice = false;
  }
}
