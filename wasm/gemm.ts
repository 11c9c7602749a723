// AssemblyScript source of the WASM engine's matrix product (docs/wasm.md). Compiled to WebAssembly
// with 128-bit SIMD by scripts/build-wasm.mjs; src/wasm/kernels.ts loads it in the Worker and in Node.
//
//   C[M, N] (+)= A[M, K] · B[K, N]
//
// A's element (i, k) is at a + 4·(i·rsA + k·csA) and B's (k, j) at b + 4·(k·rsB + j·csB), so the same
// kernel computes A·B, A·Bᵀ and Aᵀ·B, and reads one head's slice of a [T, H·D] activation in place.
// C is row-major with leading dimension ldc. B is first copied into 16-column panels, each stored as two
// 8-column halves ([N/16][2][K][8], zero-padded at the right edge), so the inner loop reads it
// contiguously whatever its strides; the micro-kernel then keeps a 4 × 8 block of C in 8 SIMD registers
// across the whole K loop (with the two B vectors, the broadcast A value and a product temporary this
// fits x64's 16 XMM registers, one of which V8 keeps as scratch; the former 4 × 16 block needed 21 and
// spilled: 30 % slower). Each element of C is summed over k in order, one f32 multiply then one add per
// term, as before, so results are bit-identical to the 4 × 16 kernel's.
//
// gemmPanels computes only the 16-column panels p0 ≤ p < p1 (packing only those), so that threads
// sharing this module's memory can split one product by columns (src/wasm/threads.ts): every element
// of C is summed in the same order whichever thread computes it, so the result does not depend on
// the thread count.
//
// `flags` = accumulate (bit 0) | causal mode << 1, for causal attention, whose [T, T] operands are zero on
// one side of the diagonal (so skipping them only drops exact zero terms, and every stored element is
// bit-identical to the full product's):
//   1  C is wanted on and below the diagonal only: panels wholly above a row block are not computed;
//   2  A(i, k) = 0 for k > i (P·V, dS·K): a row block's K loop stops at its last row;
//   3  A(i, k) = 0 for k < i (Pᵀ·dO, dSᵀ·Q): a row block's K loop starts at its first row.
// Rows kernels of the BESA step (softmax, mask products, prefix sums) live in rows.ts.
export * from './rows';
export * from './optim';
export { expF32Batch } from './expf';
export { expV8Batch } from './exp';

export function heapBase(): usize {
  return __heap_base;
}

/** Bytes of scratch gemmPanels needs at `scratch` for `panels` panels (B panels + one 4 × 8 staging tile, rounded up). */
export function scratchBytes(panels: i32, K: i32): usize {
  return (<usize>panels * <usize>K * 16 + 64) * 4;
}

function packB(K: i32, N: i32, b: usize, rsB: i32, csB: i32, bp: usize, p0: i32, p1: i32): void {
  for (let p = p0; p < p1; p++) {
    const j0 = p << 4;
    const w = min(16, N - j0);
    const dst = bp + <usize>(p - p0) * <usize>K * 64;
    for (let k = 0; k < K; k++) {
      const src = b + (<usize>k * <usize>rsB + <usize>j0 * <usize>csB) * 4;
      // column c goes to half c >> 3 ([K][8] each), slot c & 7
      let c = 0;
      for (; c < w; c++) store<f32>(dst + (<usize>(c >> 3) * <usize>K + <usize>k) * 32 + (<usize>(c & 7) << 2), load<f32>(src + ((<usize>c * <usize>csB) << 2)));
      for (; c < 16; c++) store<f32>(dst + (<usize>(c >> 3) * <usize>K + <usize>k) * 32 + (<usize>(c & 7) << 2), 0);
    }
  }
}

// Write (or add, when acc != 0) one row of the 4 × 8 register block.
@inline
function put(o: usize, acc: i32, x0: v128, x1: v128): void {
  if (acc) {
    x0 = f32x4.add(x0, v128.load(o));
    x1 = f32x4.add(x1, v128.load(o, 16));
  }
  v128.store(o, x0);
  v128.store(o, x1, 16);
}

/** The panels [p0, p1) of C (columns 16·p0 up to min(N, 16·p1)); scratch holds scratchBytes(p1 − p0, K). */
export function gemmPanels(
  M: i32, N: i32, K: i32,
  a: usize, rsA: i32, csA: i32,
  b: usize, rsB: i32, csB: i32,
  c: usize, ldc: i32, flags: i32, scratch: usize,
  p0: i32, p1: i32,
): void {
  packB(K, N, b, rsB, csB, scratch, p0, p1);
  const tile = scratch + <usize>(p1 - p0) * <usize>K * 64; // staging for tiles narrower than 8 columns
  const sa = <usize>csA * 4;
  const ra = <usize>rsA * 4;
  const acc = flags & 1;
  const causal = flags >> 1;
  for (let p = p0; p < p1; p++) {
    for (let half = 0; half < 2; half++) {
      const j0 = (p << 4) + (half << 3);
      if (j0 >= N) break;
      const w = min(8, N - j0);
      const panel = scratch + (<usize>(p - p0) * 2 + <usize>half) * <usize>K * 32;
      for (let i = causal == 1 ? j0 & ~3 : 0; i < M; i += 4) {
        const h = min(4, M - i);
        const kLo = causal == 3 ? min(i, K) : 0;
        const kHi = causal == 2 ? min(i + h, K) : K;
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
        let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
        let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        // Rows past M re-read row i (valid memory); their results are never stored.
        const r0 = a + <usize>i * ra;
        const r1 = h > 1 ? r0 + ra : r0;
        const r2 = h > 2 ? r0 + 2 * ra : r0;
        const r3 = h > 3 ? r0 + 3 * ra : r0;
        let pa: usize = <usize>kLo * sa;
        let pb = panel + <usize>kLo * 32;
        for (let k = kLo; k < kHi; k++) {
          const b0 = v128.load(pb), b1 = v128.load(pb, 16);
          let x = v128.load32_splat(r0 + pa);
          c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
          x = v128.load32_splat(r1 + pa);
          c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
          x = v128.load32_splat(r2 + pa);
          c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
          x = v128.load32_splat(r3 + pa);
          c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
          pa += sa;
          pb += 32;
        }
        if (w == 8) {
          const o = c + (<usize>i * <usize>ldc + <usize>j0) * 4;
          const ld = <usize>ldc * 4;
          put(o, acc, c00, c01);
          if (h > 1) put(o + ld, acc, c10, c11);
          if (h > 2) put(o + 2 * ld, acc, c20, c21);
          if (h > 3) put(o + 3 * ld, acc, c30, c31);
        } else {
          put(tile, 0, c00, c01);
          put(tile + 32, 0, c10, c11);
          put(tile + 64, 0, c20, c21);
          put(tile + 96, 0, c30, c31);
          for (let r = 0; r < h; r++)
            for (let q = 0; q < w; q++) {
              const o = c + (<usize>(i + r) * <usize>ldc + <usize>(j0 + q)) * 4;
              const v = load<f32>(tile + <usize>(r * 8 + q) * 4);
              store<f32>(o, acc ? load<f32>(o) + v : v);
            }
        }
      }
    }
  }
}
