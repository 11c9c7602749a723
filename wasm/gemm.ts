// AssemblyScript source of the WASM engine's matrix product (docs/wasm.md). Compiled to WebAssembly
// with 128-bit SIMD by scripts/build-wasm.mjs; src/wasm/kernels.ts loads it in the Worker and in Node.
//
//   C[M, N] (+)= A[M, K] · B[K, N]
//
// A's element (i, k) is at a + 4·(i·rsA + k·csA) and B's (k, j) at b + 4·(k·rsB + j·csB), so the same
// kernel computes A·B, A·Bᵀ and Aᵀ·B, and reads one head's slice of a [T, H·D] activation in place.
// C is row-major with leading dimension ldc. B is first copied into 16-column panels ([N/16][K][16],
// zero-padded at the right edge) so the inner loop reads it contiguously whatever its strides; the
// micro-kernel then keeps a 4 × 16 block of C in 16 SIMD registers across the whole K loop.
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

export function heapBase(): usize {
  return __heap_base;
}

/** Bytes of scratch gemmPanels needs at `scratch` for `panels` panels (B panels + one 4 × 16 staging tile). */
export function scratchBytes(panels: i32, K: i32): usize {
  return (<usize>panels * <usize>K * 16 + 64) * 4;
}

function packB(K: i32, N: i32, b: usize, rsB: i32, csB: i32, bp: usize, p0: i32, p1: i32): void {
  for (let p = p0; p < p1; p++) {
    const j0 = p << 4;
    const w = min(16, N - j0);
    const dst = bp + <usize>(p - p0) * <usize>K * 64;
    for (let k = 0; k < K; k++) {
      const row = dst + <usize>k * 64;
      const src = b + (<usize>k * <usize>rsB + <usize>j0 * <usize>csB) * 4;
      let c = 0;
      for (; c < w; c++) store<f32>(row + (<usize>c << 2), load<f32>(src + ((<usize>c * <usize>csB) << 2)));
      for (; c < 16; c++) store<f32>(row + (<usize>c << 2), 0);
    }
  }
}

// Write (or add, when acc != 0) one row of the 4 × 16 register block.
@inline
function put(o: usize, acc: i32, x0: v128, x1: v128, x2: v128, x3: v128): void {
  if (acc) {
    x0 = f32x4.add(x0, v128.load(o));
    x1 = f32x4.add(x1, v128.load(o, 16));
    x2 = f32x4.add(x2, v128.load(o, 32));
    x3 = f32x4.add(x3, v128.load(o, 48));
  }
  v128.store(o, x0);
  v128.store(o, x1, 16);
  v128.store(o, x2, 32);
  v128.store(o, x3, 48);
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
  const tile = scratch + <usize>(p1 - p0) * <usize>K * 64; // staging for tiles narrower than 16 columns
  const sa = <usize>csA * 4;
  const acc = flags & 1;
  const causal = flags >> 1;
  for (let p = p0; p < p1; p++) {
    const j0 = p << 4;
    const w = min(16, N - j0);
    const full = w == 16;
    const panel = scratch + <usize>(p - p0) * <usize>K * 64;
    for (let i = causal == 1 ? j0 & ~3 : 0; i < M; i += 4) {
      const h = min(4, M - i);
      const kLo = causal == 3 ? min(i, K) : 0;
      const kHi = causal == 2 ? min(i + h, K) : K;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0), c23 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0), c32 = f32x4.splat(0), c33 = f32x4.splat(0);
      // Rows past M re-read row i (valid memory); their results are never stored.
      const r0 = a + <usize>i * <usize>rsA * 4;
      const r1 = h > 1 ? r0 + <usize>rsA * 4 : r0;
      const r2 = h > 2 ? r0 + <usize>rsA * 8 : r0;
      const r3 = h > 3 ? r0 + <usize>rsA * 12 : r0;
      let pa: usize = <usize>kLo * sa;
      let pb = panel + <usize>kLo * 64;
      for (let k = kLo; k < kHi; k++) {
        const b0 = v128.load(pb), b1 = v128.load(pb, 16), b2 = v128.load(pb, 32), b3 = v128.load(pb, 48);
        let x = f32x4.splat(load<f32>(r0 + pa));
        c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
        c02 = f32x4.add(c02, f32x4.mul(x, b2)); c03 = f32x4.add(c03, f32x4.mul(x, b3));
        x = f32x4.splat(load<f32>(r1 + pa));
        c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
        c12 = f32x4.add(c12, f32x4.mul(x, b2)); c13 = f32x4.add(c13, f32x4.mul(x, b3));
        x = f32x4.splat(load<f32>(r2 + pa));
        c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
        c22 = f32x4.add(c22, f32x4.mul(x, b2)); c23 = f32x4.add(c23, f32x4.mul(x, b3));
        x = f32x4.splat(load<f32>(r3 + pa));
        c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
        c32 = f32x4.add(c32, f32x4.mul(x, b2)); c33 = f32x4.add(c33, f32x4.mul(x, b3));
        pa += sa;
        pb += 64;
      }
      if (full) {
        const o = c + (<usize>i * <usize>ldc + <usize>j0) * 4;
        const ld = <usize>ldc * 4;
        put(o, acc, c00, c01, c02, c03);
        if (h > 1) put(o + ld, acc, c10, c11, c12, c13);
        if (h > 2) put(o + 2 * ld, acc, c20, c21, c22, c23);
        if (h > 3) put(o + 3 * ld, acc, c30, c31, c32, c33);
      } else {
        put(tile, 0, c00, c01, c02, c03);
        put(tile + 64, 0, c10, c11, c12, c13);
        put(tile + 128, 0, c20, c21, c22, c23);
        put(tile + 192, 0, c30, c31, c32, c33);
        for (let r = 0; r < h; r++)
          for (let q = 0; q < w; q++) {
            const o = c + (<usize>(i + r) * <usize>ldc + <usize>(j0 + q)) * 4;
            const v = load<f32>(tile + <usize>(r * 16 + q) * 4);
            store<f32>(o, acc ? load<f32>(o) + v : v);
          }
      }
    }
  }
}
