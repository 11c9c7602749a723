// The block's heavy ops on the WASM SIMD product (src/wasm/kernels.ts), with the signatures and
// shapes of the reference ops in src/core/ops (linear.ts, attention.ts), so blockForwardRef and
// blockBackwardRef run on them unchanged (BlockOps). Products accumulate in f32 (the reference uses
// f64), like the GPU kernels. The mask products and the causal softmax run in the module too
// (wasm/rows.ts): as JS loops they cost a step about as much as the attention products; the bias,
// norms, RoPE and SwiGLU stay in JS (src/core/ops).
import type { BlockOps } from '../core/ops/block';
import { alloc, checkLen, type Vec } from '../core/ops/vec';
import { rowMajor, type WasmArray, type WasmKernels } from './kernels';

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

export function wasmBlockOps(k: WasmKernels): BlockOps {
  /** y[T,Out] = x[T,In] · (W⊙M)ᵀ + b. */
  function linearForward<A extends Vec>(x: A, w: Vec, T: number, In: number, Out: number, b?: Vec, mask?: Vec): A {
    checkLen('wasm linearForward', 'x', x, T * In);
    checkLen('wasm linearForward', 'w', w, Out * In);
    checkLen('wasm linearForward', 'mask', mask, Out * In);
    k.reset();
    const X = k.put(x);
    const W = putMasked(k, w, mask);
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
    checkLen('wasm linearBackward', 'mask', mask, Out * In);
    k.reset();
    const X = k.put(x);
    const DY = k.put(dy);
    const W = k.put(w);
    const WM = mask ? k.alloc(Out * In) : W;
    if (mask) k.mul(WM.ptr, W.ptr, k.put(mask).ptr, w.length);
    const DX = k.alloc(T * In);
    const G = k.alloc(Out * In);
    k.gemm(T, In, Out, rowMajor(DY, Out), rowMajor(WM, In), { ptr: DX.ptr, ld: In });
    k.gemm(Out, In, T, rowMajor(DY, Out, true), rowMajor(X, In), { ptr: G.ptr, ld: In });
    k.mul(G.ptr, G.ptr, W.ptr, w.length);
    return { dx: out(x, k, DX), dMask: out(x, k, G) };
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
    k.reset();
    const Q = k.put(q);
    const K = k.put(kk);
    const V = k.put(v);
    const P = k.alloc(H * T * T);
    const O = k.alloc(T * QD);
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / group);
      const Ph = P.ptr + 4 * h * T * T;
      // causal: scores above the diagonal are never computed, P is zero there (so P·V skips them)
      k.gemm(T, T, D, rowMajor(Q, QD, false, h * D), rowMajor(K, KVD, true, g * D), { ptr: Ph, ld: T }, false, 1);
      k.softmaxCausal(Ph, T, scale);
      k.gemm(T, D, T, rowMajor(Ph, T), rowMajor(V, KVD, false, g * D), { ptr: O.ptr + 4 * h * D, ld: QD }, false, 2);
    }
    return { out: out(q, k, O), probs: out(q, k, P) };
  }

  /** dP = dout_h v_gᵀ; dS = P ⊙ (dP − Σ_s P dP)/√D; dq_h = dS k_g; dk_g += dSᵀ q_h; dv_g += Pᵀ dout_h. */
  function attentionBackward<A extends Vec>(q: A, kk: Vec, v: Vec, probs: Vec, dout: Vec, T: number, H: number, KVH: number, D: number): { dq: A; dk: A; dv: A } {
    checkLen('wasm attentionBackward', 'probs', probs, H * T * T);
    checkLen('wasm attentionBackward', 'dout', dout, T * H * D);
    const group = H / KVH;
    const scale = 1 / Math.sqrt(D);
    const QD = H * D;
    const KVD = KVH * D;
    k.reset();
    const Q = k.put(q);
    const K = k.put(kk);
    const V = k.put(v);
    const P = k.put(probs);
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

  return { linearForward, linearBackward, attentionForward, attentionBackward, swigluForward, swigluBackward };
}
