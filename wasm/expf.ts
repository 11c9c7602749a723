// AssemblyScript: e^x on four f32 lanes for the attention softmax and SwiGLU (wasm/rows.ts), whose results
// are stored as f32. Cephes' expf: x = n·ln2 + r with n = round(x·log2 e) and ln2 split in two so r is exact,
// a degree-6 polynomial for e^r on |r| ≤ ln2/2, and 2^n put into the exponent bits. Within 2 ulp of the f32
// rounding of the true value over the clamped range [−87.3, 88]; inputs below it give e^−87.3 ≈ 1.2e−38
// (0 for any softmax or sigmoid it feeds) and NaN stays NaN. Scalar musl exp in f64 cost these loops 6–9 ns
// per element, more than all their other arithmetic.

// @ts-ignore: decorator
@inline
export function expF32x4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.33654)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23); // 2^n, n in [−126, 127]
  return f32x4.mul(y, scale);
}

/** expF32x4 on one value (the loops' tails). */
// @ts-ignore: decorator
@inline
export function expF32(x: f32): f32 {
  return f32x4.extract_lane(expF32x4(f32x4.splat(x)), 0);
}

/** dst[n] = e^src[n] over module f32 arrays (tests compare it with Math.exp). */
export function expF32Batch(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), expF32x4(v128.load(src + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), expF32(load<f32>(src + (<usize>i << 2))));
}
