// AssemblyScript: the BESA step's row kernels next to the product (re-exported by gemm.ts, so both
// builds carry them; src/wasm/ops.ts calls them on module memory). They were JS loops, linear in the
// activations but a third of a one-thread step in JS (docs/wasm.md §2). Each one does the arithmetic
// of the JS loop it replaced in the same order and precision (f64 where JS used numbers, f32 stores),
// so mulF32 and prefixAtCandidates are bit-identical to it. The causal softmax and SwiGLU run four lanes at a
// time on an f32 exp (wasm/expf.ts, within 2 ulp), so they agree with the f64 reference to f32 rounding, not
// bit for bit. besaProbabilities uses expV8 (wasm/exp.ts, V8's own algorithm), so it is bit-identical to
// src/core/besa/sparsity.ts probabilities.
import { expV8, expV8x2 } from './exp';
import { expF32, expF32x4 } from './expf';

/**
 * p[T, T], in place, row t over s ≤ t: p = softmax(p·scale), zero for s > t (causal attention forward). Four
 * scores at a time: the arguments p·scale − max in f64 (a max score of 30 would lose 2e−6 to an f32
 * subtraction), e^ in f32 (expF32x4), the sum in f64, then one f32 product by 1/sum.
 */
export function softmaxCausal(p: usize, T: i32, scale: f64): void {
  for (let t = 0; t < T; t++) {
    const r = p + (<usize>t * <usize>T) * 4;
    const n = t + 1;
    // scale > 0, so the largest score times scale is the largest scaled score (f64 products are monotonic)
    let mv = f32x4.splat(-Infinity);
    let s = 0;
    for (; s + 4 <= n; s += 4) mv = f32x4.max(mv, v128.load(r + (<usize>s << 2)));
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; s < n; s++) m = max(m, load<f32>(r + (<usize>s << 2)));
    const mx = <f64>m * scale;
    const sc = f64x2.splat(scale);
    const mxv = f64x2.splat(mx);
    let acc = f64x2.splat(0);
    s = 0;
    for (; s + 4 <= n; s += 4) {
      const o = r + (<usize>s << 2);
      const x = v128.load(o);
      const lo = f64x2.sub(f64x2.mul(f64x2.promote_low_f32x4(x), sc), mxv);
      const hi = f64x2.sub(f64x2.mul(f64x2.promote_low_f32x4(i64x2.shuffle(x, x, 1, 0)), sc), mxv);
      const e = expF32x4(i64x2.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 2));
      v128.store(o, e);
      acc = f64x2.add(acc, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(i64x2.shuffle(e, e, 1, 0))));
    }
    let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; s < n; s++) {
      const o = r + (<usize>s << 2);
      const e = expF32(<f32>(<f64>load<f32>(o) * scale - mx));
      store<f32>(o, e);
      sum += <f64>e;
    }
    const inv = <f32>(1 / sum);
    const iv = f32x4.splat(inv);
    s = 0;
    for (; s + 4 <= n; s += 4) v128.store(r + (<usize>s << 2), f32x4.mul(v128.load(r + (<usize>s << 2)), iv));
    for (; s < n; s++) store<f32>(r + (<usize>s << 2), load<f32>(r + (<usize>s << 2)) * inv);
    memory.fill(r + (<usize>n << 2), 0, <usize>(T - n) << 2);
  }
}

/** ds[T, T] = P ⊙ (dP − Σ_s P dP)·scale in place over s ≤ t, zero for s > t (softmax backward; p is P). */
export function softmaxCausalBack(p: usize, ds: usize, T: i32, scale: f64): void {
  for (let t = 0; t < T; t++) {
    const rp = p + (<usize>t * <usize>T) * 4;
    const rd = ds + (<usize>t * <usize>T) * 4;
    let dot: f64 = 0;
    for (let s = 0; s <= t; s++) dot += <f64>load<f32>(rp + (<usize>s << 2)) * <f64>load<f32>(rd + (<usize>s << 2));
    for (let s = 0; s <= t; s++) {
      const o = rd + (<usize>s << 2);
      store<f32>(o, <f32>(<f64>load<f32>(rp + (<usize>s << 2)) * (<f64>load<f32>(o) - dot) * scale));
    }
    memory.fill(rd + (<usize>(t + 1) << 2), 0, <usize>(T - t - 1) << 2);
  }
}

/** dst[n] = a ⊙ b in f32 (dst may be a or b): W ⊙ M for the masked products, (dyᵀx) ⊙ W for dL/dM. */
export function mulF32(dst: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(a + o) * load<f32>(b + o));
  }
}

/**
 * out[G, D] (f64) = Σ_{r in group g} Pre_r(k_d), Pre_r(k) = Σ_{j<k} gm[r, sortIdx[r, j]] (src/core/besa/grad.ts
 * prefixAtCandidates, the same sums in the same order). gm [rows, cols] f32, sortIdx [rows, cols] u16 or, with
 * wide, i32 (src/core/besa/importance.ts SortOrder), kd [D] i32; pre is f64 scratch of cols + 1.
 */
export function prefixAtCandidates(gm: usize, sortIdx: usize, wide: i32, kd: usize, rows: i32, cols: i32, G: i32, D: i32, pre: usize, out: usize): void {
  if (wide) prefixOf<i32>(gm, sortIdx, kd, rows, cols, G, D, pre, out);
  else prefixOf<u16>(gm, sortIdx, kd, rows, cols, G, D, pre, out);
}

// @ts-ignore: decorator
@inline
function prefixOf<I>(gm: usize, sortIdx: usize, kd: usize, rows: i32, cols: i32, G: i32, D: i32, pre: usize, out: usize): void {
  const b = rows / G;
  for (let g = 0; g < G; g++) {
    memory.fill(pre, 0, <usize>(cols + 1) << 3);
    for (let r = g * b; r < (g + 1) * b; r++) {
      const row = gm + (<usize>r * <usize>cols) * 4;
      const idx = sortIdx + ((<usize>r * <usize>cols) << alignof<I>());
      let acc: f64 = 0;
      for (let j = 0; j < cols; j++) {
        acc += <f64>load<f32>(row + (<usize>load<I>(idx + (<usize>j << alignof<I>())) << 2));
        const o = pre + (<usize>(j + 1) << 3);
        store<f64>(o, load<f64>(o) + acc);
      }
    }
    for (let d = 0; d < D; d++) {
      const k = min(cols, max(0, load<i32>(kd + (<usize>d << 2))));
      store<f64>(out + (<usize>(g * D + d) << 3), load<f64>(pre + (<usize>k << 3)));
    }
  }
}

/** σ(g) = 1 / (1 + e^−g) on four f32 lanes. */
// @ts-ignore: decorator
@inline
function sigmoidF32x4(g: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), expF32x4(f32x4.neg(g))));
}

/** h[n] = silu(g)·up, silu(g) = g·σ(g) (src/core/ops/swiglu.ts) in f32, four at a time. */
export function swigluForward(gate: usize, up: usize, h: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(gate + o);
    v128.store(h + o, f32x4.mul(f32x4.mul(g, sigmoidF32x4(g)), v128.load(up + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(gate + o);
    store<f32>(h + o, g * (1 / (1 + expF32(-g))) * load<f32>(up + o));
  }
}

/** dgate = dh·up·σ(g)(1 + g(1−σ(g))), dup = dh·silu(g), [n] each (src/core/ops/swiglu.ts), in f32. */
export function swigluBackward(gate: usize, up: usize, dh: usize, dgate: usize, dup: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(gate + o);
    const s = sigmoidF32x4(g);
    const d = v128.load(dh + o);
    const ds = f32x4.mul(f32x4.mul(d, v128.load(up + o)), s);
    v128.store(dgate + o, f32x4.mul(ds, f32x4.add(one, f32x4.mul(g, f32x4.sub(one, s)))));
    v128.store(dup + o, f32x4.mul(f32x4.mul(d, g), s));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(gate + o);
    const s: f32 = 1 / (1 + expF32(-g));
    const d = load<f32>(dh + o);
    store<f32>(dgate + o, d * load<f32>(up + o) * s * (1 + g * (1 - s)));
    store<f32>(dup + o, d * g * s);
  }
}

/**
 * BESA's hard mask applied in place to W [rows, cols] (already copied to wm): for row r of group g = r / b,
 * wm[r, sortIdx[r, j]] *= 0 for j < counts[g], sortIdx u16 or (wide) i32 (src/core/besa/masks.ts hardMask,
 * then W ⊙ M: the kept entries are W·1 = W and the pruned ones W·0, so the result is bit-identical to mulF32
 * with that mask).
 */
export function applyHardMask(wm: usize, sortIdx: usize, wide: i32, counts: usize, rows: i32, cols: i32, b: i32): void {
  if (wide) hardMaskOf<i32>(wm, sortIdx, counts, rows, cols, b);
  else hardMaskOf<u16>(wm, sortIdx, counts, rows, cols, b);
}

// @ts-ignore: decorator
@inline
function hardMaskOf<I>(wm: usize, sortIdx: usize, counts: usize, rows: i32, cols: i32, b: i32): void {
  for (let r = 0; r < rows; r++) {
    const n = min(cols, load<i32>(counts + (<usize>(r / b) << 2)));
    const row = wm + (<usize>r * <usize>cols) * 4;
    const idx = sortIdx + ((<usize>r * <usize>cols) << alignof<I>());
    for (let j = 0; j < n; j++) {
      const o = row + (<usize>load<I>(idx + (<usize>j << alignof<I>())) << 2);
      store<f32>(o, load<f32>(o) * <f32>0);
    }
  }
}

/**
 * BESA's p[G, D] = softmax over d of σ(θ) (or of θ) (src/core/besa/sparsity.ts probabilities: f64, the same
 * expressions and order, V8's exp, so bit-identical; two logits at a time in f64x2, whose lanes round as the
 * scalar ops do; the max and the sum run over d in order). theta [G, D] f32; p [G, D] f32; z is f64 scratch
 * of D; sig, when not 0 and useSigmoid, receives σ(θ) [G, D] in f64.
 */
export function besaProbabilities(theta: usize, G: i32, D: i32, useSigmoid: i32, sig: usize, z: usize, p: usize): void {
  const one = f64x2.splat(1);
  for (let g = 0; g < G; g++) {
    const row = <usize>g * <usize>D;
    const th = theta + (row << 2);
    let d = 0;
    for (; d + 2 <= D; d += 2) {
      let v = f64x2.promote_low_f32x4(v128.load64_zero(th + (<usize>d << 2)));
      if (useSigmoid) v = f64x2.div(one, f64x2.add(one, expV8x2(f64x2.neg(v))));
      v128.store(z + (<usize>d << 3), v);
    }
    for (; d < D; d++) {
      let v = <f64>load<f32>(th + (<usize>d << 2));
      if (useSigmoid) v = 1 / (1 + expV8(-v));
      store<f64>(z + (<usize>d << 3), v);
    }
    if (useSigmoid && sig) memory.copy(sig + (row << 3), z, <usize>D << 3);
    let mx = -Infinity;
    for (d = 0; d < D; d++) {
      const v = load<f64>(z + (<usize>d << 3));
      if (v > mx) mx = v; // as JS's `if (z[d] > mx)`: a NaN is skipped (max() would keep it)
    }
    const m2 = f64x2.splat(mx);
    let sum: f64 = 0;
    for (d = 0; d + 2 <= D; d += 2) {
      const o = z + (<usize>d << 3);
      const e = expV8x2(f64x2.sub(v128.load(o), m2));
      v128.store(o, e);
      sum += f64x2.extract_lane(e, 0);
      sum += f64x2.extract_lane(e, 1);
    }
    for (; d < D; d++) {
      const o = z + (<usize>d << 3);
      const e = expV8(load<f64>(o) - mx);
      store<f64>(o, e);
      sum += e;
    }
    const s2 = f64x2.splat(sum);
    const pr = p + (row << 2);
    for (d = 0; d + 2 <= D; d += 2) v128.store64_lane(pr + (<usize>d << 2), f32x4.demote_f64x2_zero(f64x2.div(v128.load(z + (<usize>d << 3)), s2)), 0);
    for (; d < D; d++) store<f32>(pr + (<usize>d << 2), <f32>(load<f64>(z + (<usize>d << 3)) / sum));
  }
}
