// The block's heavy ops on the WASM SIMD product (src/wasm/kernels.ts), with the signatures and
// shapes of the reference ops in src/core/ops (linear.ts, attention.ts), so blockForwardRef and
// blockBackwardRef run on them unchanged (BlockOps). Products accumulate in f32 (the reference uses
// f64), like the GPU kernels; everything of linear cost (masks, bias, softmax) stays in JS.
import type { BlockOps } from '../core/ops/block';
import { alloc, checkLen, type Vec } from '../core/ops/vec';
import { rowMajor, type WasmArray, type WasmKernels } from './kernels';

/** W ⊙ M into module memory (W is [out, in]; no mask = W itself). */
function putMasked(k: WasmKernels, w: Vec, mask: Vec | undefined): WasmArray {
  const a = k.alloc(w.length);
  const v = k.view(a);
  if (mask) for (let i = 0; i < w.length; i++) v[i] = w[i] * mask[i];
  else v.set(w);
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
    const W = putMasked(k, w, mask);
    const DX = k.alloc(T * In);
    const G = k.alloc(Out * In);
    k.gemm(T, In, Out, rowMajor(DY, Out), rowMajor(W, In), { ptr: DX.ptr, ld: In });
    k.gemm(Out, In, T, rowMajor(DY, Out, true), rowMajor(X, In), { ptr: G.ptr, ld: In });
    const dx = out(x, k, DX);
    const dMask = out(x, k, G);
    for (let i = 0; i < dMask.length; i++) dMask[i] *= w[i];
    return { dx, dMask };
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
      k.gemm(T, T, D, rowMajor(Q, QD, false, h * D), rowMajor(K, KVD, true, g * D), { ptr: Ph, ld: T });
      const p = k.view({ ptr: Ph, length: T * T });
      for (let t = 0; t < T; t++) {
        const r = t * T;
        let mx = -Infinity;
        for (let s = 0; s <= t; s++) mx = Math.max(mx, p[r + s] * scale);
        let sum = 0;
        for (let s = 0; s <= t; s++) sum += p[r + s] = Math.exp(p[r + s] * scale - mx);
        const inv = 1 / sum;
        for (let s = 0; s <= t; s++) p[r + s] *= inv;
        p.fill(0, r + t + 1, r + T); // causal: nothing attends to later positions
      }
      k.gemm(T, D, T, rowMajor(Ph, T), rowMajor(V, KVD, false, g * D), { ptr: O.ptr + 4 * h * D, ld: QD });
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
      k.gemm(T, T, D, rowMajor(DO, QD, false, h * D), rowMajor(V, KVD, true, g * D), { ptr: DS.ptr, ld: T });
      const ds = k.view(DS);
      const p = k.view({ ptr: Ph, length: T * T });
      for (let t = 0; t < T; t++) {
        const r = t * T;
        let dot = 0;
        for (let s = 0; s <= t; s++) dot += p[r + s] * ds[r + s];
        for (let s = 0; s <= t; s++) ds[r + s] = p[r + s] * (ds[r + s] - dot) * scale;
        ds.fill(0, r + t + 1, r + T);
      }
      k.gemm(T, D, T, rowMajor(DS, T), rowMajor(K, KVD, false, g * D), { ptr: DQ.ptr + 4 * h * D, ld: QD });
      k.gemm(T, D, T, rowMajor(DS, T, true), rowMajor(Q, QD, false, h * D), { ptr: DK.ptr + 4 * g * D, ld: KVD }, true);
      k.gemm(T, D, T, rowMajor(Ph, T, true), rowMajor(DO, QD, false, h * D), { ptr: DV.ptr + 4 * g * D, ld: KVD }, true);
    }
    return { dq: out(q, k, DQ), dk: out(q, k, DK), dv: out(q, k, DV) };
  }

  return { linearForward, linearBackward, attentionForward, attentionBackward };
}
