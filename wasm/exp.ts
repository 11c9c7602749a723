// AssemblyScript: e^x as V8 computes Math.exp (v8/src/base/ieee754.cc `exp`, adapted from fdlibm's
// e_exp.c): the same constants, the same reduction x = k·ln2 + r and the same rational approximation,
// step by step in f64, so that the module's exp returns V8's bits on every input (AssemblyScript's
// Math.exp is musl's, which can differ in the last bit). tests/unit/wasm/exp.test.ts compares it with
// Node's Math.exp on millions of inputs and the edge cases; the row kernels that must equal JS use it.

const HALF_POS: f64 = 0.5;
const HALF_NEG: f64 = -0.5;
const O_THRESHOLD: f64 = 7.09782712893383973096e2; // 0x40862E42 FEFA39EF
const U_THRESHOLD: f64 = -7.4513321910194110842e2; // 0xC0874910 D52D3051
const LN2_HI: f64 = 6.9314718036912381649e-1; // 0x3FE62E42 FEE00000
const LN2_LO: f64 = 1.90821492927058770002e-10; // 0x3DEA39EF 35793C76
const INV_LN2: f64 = 1.442695040888963387; // 0x3FF71547 652B82FE
const P1: f64 = 1.66666666666666019037e-1; // 0x3FC55555 5555553E
const P2: f64 = -2.77777777770155933842e-3; // 0xBF66C16C 16BEBD93
const P3: f64 = 6.61375632143793436117e-5; // 0x3F11566A AF25DE2C
const P4: f64 = -1.6533902205465251539e-6; // 0xBEBBBD41 C5D26BF1
const P5: f64 = 4.13813679705723846039e-8; // 0x3E663769 72BEA4D0
const E: f64 = 2.718281828459045; // 0x4005BF0A 8B145769 (V8 returns it for exp(1))
const TWOM1000: f64 = 9.3326361850321887899e-302; // 2^-1000
const TWO1023: f64 = 8.988465674311579539e307; // 2^1023

/** e^x, bit-identical to V8's Math.exp (fdlibm's algorithm as in v8/src/base/ieee754.cc). */
// @ts-ignore: decorator
@inline
export function expV8(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  let hx = <u32>(bits >>> 32);
  const xsb = <i32>(hx >>> 31); // sign bit of x
  hx &= 0x7fffffff; // high word of |x|

  // non-finite argument, overflow, underflow
  if (hx >= 0x40862e42) {
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | <u32>bits) != 0) return x + x; // NaN
      return xsb == 0 ? x : 0.0; // exp(±inf) = {inf, 0}
    }
    if (x > O_THRESHOLD) return Infinity; // huge·huge
    if (x < U_THRESHOLD) return 0.0; // twom1000·twom1000
  }

  // argument reduction
  let hi: f64 = 0;
  let lo: f64 = 0;
  let k: i32 = 0;
  if (hx > 0x3fd62e42) {
    // |x| > 0.5 ln2
    if (hx < 0x3ff0a2b2) {
      // and |x| < 1.5 ln2
      if (x == 1.0) return E;
      if (xsb == 0) {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      } else {
        hi = x - -LN2_HI;
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = <i32>(INV_LN2 * x + (xsb == 0 ? HALF_POS : HALF_NEG)); // truncation, as C's int cast
      const t = <f64>k;
      hi = x - t * LN2_HI; // t·ln2HI is exact here
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    // |x| < 2^-28: V8 returns one + x when huge + x > one, which holds for every such x
    return 1.0 + x;
  }

  // x is now in the primary range
  const t = x * x;
  const twopk =
    k >= -1021 ? reinterpret<f64>(<u64>(<u32>(0x3ff00000 + (k << 20))) << 32) : reinterpret<f64>(<u64>(<u32>(0x3ff00000 + ((k + 1000) << 20))) << 32);
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * TWO1023;
    return y * twopk;
  }
  return y * twopk * TWOM1000;
}

// Thresholds of expV8's branches on the high word of |x|, as doubles (|x|'s bits order as its value):
// |x| < 2^-28 (hx < 0x3E300000); k = 0 for hx <= 0x3FD62E42; k = ±1 for hx < 0x3FF0A2B2.
const TINY: f64 = reinterpret<f64>(0x3e30000000000000);
const K0_BELOW: f64 = reinterpret<f64>(0x3fd62e4300000000);
const K1_BELOW: f64 = reinterpret<f64>(0x3ff0a2b200000000);
/** expV8x2's own range: -700 < x < 700 keeps every lane finite, unscaled by 2^-1000 and k < 1024. */
const FAST_MAX: f64 = 700;

/**
 * expV8 on both lanes of an f64x2, bit-identical to it lane by lane. Lanes with |x| < 700 take one SIMD path
 * of expV8's IEEE operations: the three reductions are the general one with t = k (k = 0 gives hi = x, lo = +0,
 * after which the general formula equals expV8's k = 0 formula for x ≠ 0: (x·c)/(c − 2) = −(x·c)/(2 − c) and
 * 2^0 = 1; k = ±1 gives t·ln2HI = ±ln2HI, t·ln2LO = ±ln2LO exactly), |x| < 2^-28 and x = 1 are selected at the
 * end. Otherwise (huge, NaN, subnormal results) both lanes go through expV8.
 */
// @ts-ignore: decorator
@inline
export function expV8x2(x: v128): v128 {
  const ax = f64x2.abs(x);
  if (!i64x2.all_true(f64x2.lt(ax, f64x2.splat(FAST_MAX)))) {
    return f64x2.replace_lane(f64x2.splat(expV8(f64x2.extract_lane(x, 0))), 1, expV8(f64x2.extract_lane(x, 1)));
  }
  const sign = v128.and(x, f64x2.splat(-0.0));
  let t = f64x2.trunc(f64x2.add(f64x2.mul(f64x2.splat(INV_LN2), x), v128.or(f64x2.splat(0.5), sign))); // k as (int) makes it
  t = v128.bitselect(v128.or(f64x2.splat(1.0), sign), t, f64x2.lt(ax, f64x2.splat(K1_BELOW))); // k = ±1
  t = v128.bitselect(f64x2.splat(0.0), t, f64x2.lt(ax, f64x2.splat(K0_BELOW))); // k = 0
  const hi = f64x2.sub(x, f64x2.mul(t, f64x2.splat(LN2_HI)));
  const lo = f64x2.mul(t, f64x2.splat(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const tt = f64x2.mul(r, r);
  let q = f64x2.add(f64x2.splat(P4), f64x2.mul(tt, f64x2.splat(P5)));
  q = f64x2.add(f64x2.splat(P3), f64x2.mul(tt, q));
  q = f64x2.add(f64x2.splat(P2), f64x2.mul(tt, q));
  q = f64x2.add(f64x2.splat(P1), f64x2.mul(tt, q));
  const c = f64x2.sub(r, f64x2.mul(tt, q));
  const one = f64x2.splat(1.0);
  const y = f64x2.sub(one, f64x2.sub(f64x2.sub(lo, f64x2.div(f64x2.mul(r, c), f64x2.sub(f64x2.splat(2.0), c))), hi));
  const k = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(t));
  const twopk = i64x2.shl(i64x2.add(k, i64x2.splat(1023)), 52);
  let e = f64x2.mul(y, twopk);
  e = v128.bitselect(f64x2.splat(E), e, f64x2.eq(x, one));
  return v128.bitselect(f64x2.add(one, x), e, f64x2.lt(ax, f64x2.splat(TINY)));
}

/** dst[i] = expV8(src[i]) over n f64, through expV8x2 in pairs when simd (the bit-exactness test's entry). */
export function expV8Batch(src: usize, dst: usize, n: i32, simd: i32): void {
  let i = 0;
  if (simd) {
    for (; i + 2 <= n; i += 2) {
      const o = <usize>i << 3;
      v128.store(dst + o, expV8x2(v128.load(src + o)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(dst + o, expV8(load<f64>(src + o)));
  }
}
