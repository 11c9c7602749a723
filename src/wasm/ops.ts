// The block's heavy ops on the WASM SIMD product (src/wasm/kernels.ts), with the signatures and
// shapes of the reference ops in src/core/ops (linear.ts, attention.ts), so blockForwardRef and
// blockBackwardRef run on them unchanged (BlockOps). Products accumulate in f32 (the reference uses
// f64), like the GPU kernels. The mask products and the causal softmax run in the module too
// (wasm/rows.ts): as JS loops they cost a step about as much as the attention products; the bias,
// norms, RoPE and SwiGLU stay in JS (src/core/ops).
import type { SortOrder } from '../core/besa/importance';
import type { BlockOps } from '../core/ops/block';
import { alloc, checkLen, type Vec } from '../core/ops/vec';
import { rowMajor, type ModuleOrder, type WasmArray, type WasmKernels, type WasmSlot } from './kernels';

/**
 * The block ops plus what the WASM executor uses to keep arrays in module memory between ops
 * (src/prune/wasmExecutor.ts): its saved state is opaque to callers, so the attention probabilities and a
 * BESA step's W ⊙ M need not travel out of the module and back.
 */
export interface WasmBlockOps extends BlockOps {
  /**
   * What attentionForward returns as `probs`: 'host' a copy (the default, as the reference op); 'keep' a
   * handle to P left in the module's `probs` slot, valid in attentionBackward until releaseProbs (a later
   * 'keep' forward first copies the previous P out to the host, so an unreleased handle stays valid);
   * 'drop' an empty array (the caller keeps no saved state).
   */
  probsMode: 'host' | 'keep' | 'drop';
  /** Free the slot of a 'keep' handle (a no-op for other arrays); the handle is invalid afterwards. */
  releaseProbs(probs: Vec): void;
  /**
   * A mask argument for linearForward/linearBackward that means "W ⊙ M is in `slot`", valid while the
   * slot's tag is `tag` (the ops then skip copying W and M in and multiplying them).
   */
  maskHandle(slot: WasmSlot, tag: unknown): Float32Array;
  /**
   * A mask argument meaning "BESA's hard mask from these per-group prune counts and this sort order": each op
   * builds W ⊙ M in its own scratch (applyHardMask), for blocks too large to keep W ⊙ M of every linear in
   * module memory for the whole step (src/prune/wasmExecutor.ts moduleMasks). A host sort order is copied
   * into the op's scratch each time, so such blocks keep no module copy of it either.
   */
  hardMaskHandle(order: ModuleOrder | SortOrder, counts: Int32Array): Float32Array;
  /**
   * Where linearBackward / linearMaskGrad put dL/dM [Out, In] while set: called with the linear's W and
   * dL/dM still in module memory (valid during the call), it returns what the op hands back as dMask. BESA's
   * prefix sums consume dL/dM there (src/prune/wasmExecutor.ts besaPrefix), so the step's 7 [out, in]
   * gradients are never copied out to host arrays (a block's worth of garbage every step, issue #11).
   */
  maskGradSink: ((w: Vec, g: WasmArray, Out: number, In: number) => Float32Array) | null;
}

/** W ⊙ M into module memory (W is [out, in]; no mask = W itself): two copies and one SIMD product. */
function putMasked(k: WasmKernels, w: Vec, mask: Vec | undefined): WasmArray {
  const a = k.put(w);
  if (mask) {
    const M = k.put(mask);
    k.mul(a.ptr, a.ptr, M.ptr, w.length);
  }
  return a;
}

function out<A extends Vec>(like: A, k: WasmKernels, a: WasmArray): A {
  const y = alloc(like, a.length);
  y.set(k.view(a));
  return y;
}

/** BESA's hard mask of one linear: per-group prune counts and the sort order (in the module, or on the host). */
interface HardMask {
  order: ModuleOrder | SortOrder;
  counts: Int32Array;
}

/** W ⊙ M_hard into module memory: W copied in (or from `from`, W already in the module), then the hard mask applied. */
function putHardMasked(k: WasmKernels, w: Vec, h: HardMask, Out: number, In: number, from?: WasmArray): WasmArray {
  const a = k.alloc(Out * In);
  if (from) k.view(a).set(k.view(from));
  else k.view(a).set(w);
  const c = k.put(h.counts);
  k.applyHardMask(a.ptr, ArrayBuffer.isView(h.order) ? k.putOrder(h.order) : h.order, c.ptr, Out, In, h.counts.length);
  return a;
}

export function wasmBlockOps(k: WasmKernels): WasmBlockOps {
  const maskHandles = new WeakMap<Vec, { slot: WasmSlot; tag: unknown }>();
  const hardHandles = new WeakMap<Vec, HardMask>();
  /** 'keep' handles: `host` is P's copy once a later forward took the slot, null after release. */
  const probsHandles = new WeakMap<Vec, { ptr: number; n: number; host: Float32Array | null; released: boolean }>();
  let inSlot: Vec | null = null; // the handle whose P is in the probs slot now

  /** The slot holding W ⊙ M for a mask handle, or null for an ordinary mask array. */
  function maskedSlot(mask: Vec | undefined, n: number): WasmSlot | null {
    const h = mask && maskHandles.get(mask);
    if (!h) return null;
    if (h.slot.tag !== h.tag || h.slot.length < n) throw new Error('wasm ops: a mask handle whose slot was overwritten (internal error)');
    return h.slot;
  }

  /** y[T,Out] = x[T,In] · (W⊙M)ᵀ + b. */
  function linearForward<A extends Vec>(x: A, w: Vec, T: number, In: number, Out: number, b?: Vec, mask?: Vec): A {
    checkLen('wasm linearForward', 'x', x, T * In);
    checkLen('wasm linearForward', 'w', w, Out * In);
    const held = maskedSlot(mask, Out * In);
    const hard = mask && hardHandles.get(mask);
    if (!held && !hard) checkLen('wasm linearForward', 'mask', mask, Out * In);
    k.reset();
    const X = k.put(x);
    const W = held ?? (hard ? putHardMasked(k, w, hard, Out, In) : putMasked(k, w, mask));
    const Y = k.alloc(T * Out);
    k.gemm(T, Out, In, rowMajor(X, In), rowMajor(W, In, true), { ptr: Y.ptr, ld: Out });
    const y = out(x, k, Y);
    if (b) for (let t = 0; t < T; t++) for (let o = 0; o < Out; o++) y[t * Out + o] += b[o];
    return y;
  }

  /** dx[T,In] = dy · (W⊙M);  dMask[Out,In] = (dyᵀ x) ⊙ W (docs/besa.md §1.5). */
  function linearBackward<A extends Vec>(x: A, w: Vec, dy: Vec, T: number, In: number, Out: number, mask?: Vec): { dx: A; dMask: A } {
    checkLen('wasm linearBackward', 'x', x, T * In);
    checkLen('wasm linearBackward', 'w', w, Out * In);
    checkLen('wasm linearBackward', 'dy', dy, T * Out);
    const held = maskedSlot(mask, Out * In);
    const hard = mask && hardHandles.get(mask);
    if (!held && !hard) checkLen('wasm linearBackward', 'mask', mask, Out * In);
    k.reset();
    const X = k.put(x);
    const DY = k.put(dy);
    const W = k.put(w);
    const DX = k.alloc(T * In);
    // W ⊙ M on top of the allocator, freed once dx has it: dL/dM then takes its place (one [Out, In] less at the peak)
    const top = k.mark();
    const WM = held ?? (hard ? putHardMasked(k, w, hard, Out, In, W) : mask ? k.alloc(Out * In) : W);
    if (mask && !held && !hard) k.mul(WM.ptr, W.ptr, k.put(mask).ptr, w.length);
    k.gemm(T, In, Out, rowMajor(DY, Out), rowMajor(WM, In), { ptr: DX.ptr, ld: In });
    k.freeTo(top);
    const G = k.alloc(Out * In);
    k.gemm(Out, In, T, rowMajor(DY, Out, true), rowMajor(X, In), { ptr: G.ptr, ld: In });
    k.mul(G.ptr, G.ptr, W.ptr, w.length);
    const dx = out(x, k, DX);
    return { dx, dMask: ops.maskGradSink ? (ops.maskGradSink(w, G, Out, In) as Vec as A) : out(x, k, G) };
  }

  /** dMask[Out,In] = (dyᵀ x) ⊙ W alone: linearBackward's dMask, the same product (no dx, so no W ⊙ M needed). */
  function linearMaskGrad(x: Vec, w: Vec, dy: Vec, T: number, In: number, Out: number): Vec {
    checkLen('wasm linearMaskGrad', 'x', x, T * In);
    checkLen('wasm linearMaskGrad', 'w', w, Out * In);
    checkLen('wasm linearMaskGrad', 'dy', dy, T * Out);
    k.reset();
    const X = k.put(x);
    const DY = k.put(dy);
    const W = k.put(w);
    const G = k.alloc(Out * In);
    k.gemm(Out, In, T, rowMajor(DY, Out, true), rowMajor(X, In), { ptr: G.ptr, ld: In });
    k.mul(G.ptr, G.ptr, W.ptr, w.length);
    return ops.maskGradSink ? ops.maskGradSink(w, G, Out, In) : out(x, k, G);
  }

  /** Causal GQA attention, one head at a time: S = q_h k_gᵀ / √D, P = softmax(S) (s ≤ t), out_h = P v_g. */
  function attentionForward<A extends Vec>(q: A, kk: Vec, v: Vec, T: number, H: number, KVH: number, D: number): { out: A; probs: A } {
    checkLen('wasm attentionForward', 'q', q, T * H * D);
    checkLen('wasm attentionForward', 'k', kk, T * KVH * D);
    checkLen('wasm attentionForward', 'v', v, T * KVH * D);
    const group = H / KVH;
    const scale = 1 / Math.sqrt(D);
    const QD = H * D;
    const KVD = KVH * D;
    const mode = ops.probsMode;
    let P: WasmArray | undefined;
    let handle: Float32Array | null = null;
    k.reset();
    if (mode === 'keep') {
      // the previous handle's P leaves the slot for the host first, unless it was released
      const prev = inSlot && probsHandles.get(inSlot);
      const slot = k.slot('probs', H * T * T);
      if (prev) prev.host = k.view({ ptr: prev.ptr, length: prev.n }).slice(); // a slot replaced by a larger one keeps its bytes
      handle = new Float32Array(0);
      probsHandles.set(handle, { ptr: slot.ptr, n: H * T * T, host: null, released: false });
      inSlot = handle;
      P = { ptr: slot.ptr, length: H * T * T };
    }
    const Q = k.put(q);
    const K = k.put(kk);
    const V = k.put(v);
    P ??= k.alloc(H * T * T);
    const O = k.alloc(T * QD);
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / group);
      const Ph = P.ptr + 4 * h * T * T;
      // causal: scores above the diagonal are never computed, P is zero there (so P·V skips them)
      k.gemm(T, T, D, rowMajor(Q, QD, false, h * D), rowMajor(K, KVD, true, g * D), { ptr: Ph, ld: T }, false, 1);
      k.softmaxCausal(Ph, T, scale);
      k.gemm(T, D, T, rowMajor(Ph, T), rowMajor(V, KVD, false, g * D), { ptr: O.ptr + 4 * h * D, ld: QD }, false, 2);
    }
    const probs = handle ? (handle as Vec as A) : mode === 'drop' ? alloc(q, 0) : out(q, k, P);
    return { out: out(q, k, O), probs };
  }

  /** dP = dout_h v_gᵀ; dS = P ⊙ (dP − Σ_s P dP)/√D; dq_h = dS k_g; dk_g += dSᵀ q_h; dv_g += Pᵀ dout_h. */
  function attentionBackward<A extends Vec>(q: A, kk: Vec, v: Vec, probs: Vec, dout: Vec, T: number, H: number, KVH: number, D: number): { dq: A; dk: A; dv: A } {
    const kept = probsHandles.get(probs);
    if (kept && (kept.released || kept.n !== H * T * T))
      throw new Error('wasm attentionBackward: the saved attention probabilities were released, or are of another shape');
    if (!kept) checkLen('wasm attentionBackward', 'probs', probs, H * T * T);
    checkLen('wasm attentionBackward', 'dout', dout, T * H * D);
    const group = H / KVH;
    const scale = 1 / Math.sqrt(D);
    const QD = H * D;
    const KVD = KVH * D;
    k.reset();
    const Q = k.put(q);
    const K = k.put(kk);
    const V = k.put(v);
    const P = !kept ? k.put(probs) : kept.host ? k.put(kept.host) : { ptr: kept.ptr, length: kept.n };
    const DO = k.put(dout);
    const DS = k.alloc(T * T);
    const DQ = k.alloc(T * QD);
    const DK = k.alloc(T * KVD);
    const DV = k.alloc(T * KVD);
    k.view(DK).fill(0);
    k.view(DV).fill(0);
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / group);
      const Ph = P.ptr + 4 * h * T * T;
      // dP and dS only on and below the diagonal; the products then skip the causal zeros of dS and P
      k.gemm(T, T, D, rowMajor(DO, QD, false, h * D), rowMajor(V, KVD, true, g * D), { ptr: DS.ptr, ld: T }, false, 1);
      k.softmaxCausalBack(Ph, DS.ptr, T, scale);
      k.gemm(T, D, T, rowMajor(DS, T), rowMajor(K, KVD, false, g * D), { ptr: DQ.ptr + 4 * h * D, ld: QD }, false, 2);
      k.gemm(T, D, T, rowMajor(DS, T, true), rowMajor(Q, QD, false, h * D), { ptr: DK.ptr + 4 * g * D, ld: KVD }, true, 3);
      k.gemm(T, D, T, rowMajor(Ph, T, true), rowMajor(DO, QD, false, h * D), { ptr: DV.ptr + 4 * g * D, ld: KVD }, true, 3);
    }
    return { dq: out(q, k, DQ), dk: out(q, k, DK), dv: out(q, k, DV) };
  }

  /** h[T,F] = silu(gate) ⊙ up (src/core/ops/swiglu.ts, the same f64 expression per element). */
  function swigluForward<A extends Vec>(gate: A, up: Vec): A {
    checkLen('wasm swigluForward', 'up', up, gate.length);
    k.reset();
    const G = k.put(gate);
    const U = k.put(up);
    const H = k.alloc(gate.length);
    k.swigluForward(G.ptr, U.ptr, H.ptr, gate.length);
    return out(gate, k, H);
  }

  function swigluBackward<A extends Vec>(gate: A, up: Vec, dh: Vec): { dgate: A; dup: A } {
    checkLen('wasm swigluBackward', 'up', up, gate.length);
    checkLen('wasm swigluBackward', 'dh', dh, gate.length);
    k.reset();
    const G = k.put(gate);
    const U = k.put(up);
    const DH = k.put(dh);
    const DG = k.alloc(gate.length);
    const DU = k.alloc(gate.length);
    k.swigluBackward(G.ptr, U.ptr, DH.ptr, DG.ptr, DU.ptr, gate.length);
    return { dgate: out(gate, k, DG), dup: out(gate, k, DU) };
  }

  function releaseProbs(probs: Vec): void {
    const h = probsHandles.get(probs);
    if (!h) return;
    h.released = true;
    h.host = null;
    if (inSlot === probs) inSlot = null;
  }

  function maskHandle(slot: WasmSlot, tag: unknown): Float32Array {
    const h = new Float32Array(0);
    maskHandles.set(h, { slot, tag });
    return h;
  }

  function hardMaskHandle(order: ModuleOrder | SortOrder, counts: Int32Array): Float32Array {
    const h = new Float32Array(0);
    hardHandles.set(h, { order, counts });
    return h;
  }

  const ops: WasmBlockOps = {
    linearForward,
    linearBackward,
    attentionForward,
    attentionBackward,
    swigluForward,
    swigluBackward,
    linearMaskGrad,
    probsMode: 'host',
    releaseProbs,
    maskHandle,
    hardMaskHandle,
    maskGradSink: null,
  };
  return ops;
}
