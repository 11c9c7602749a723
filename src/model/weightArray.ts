// Weights kept in their file's element type (docs/real-models.md §2). A bf16 checkpoint stays bf16 in
// memory (half the bytes of f32); only the block being pruned, or the rows being looked up, are widened
// to f32 for the math. An f32 checkpoint is a plain Float32Array and every helper below hands it back
// unchanged (no copy), so f32 models behave exactly as before this type existed.

/** 16-bit float formats: bf16 is the top half of an f32; f16 is IEEE binary16. */
export type HalfDtype = 'BF16' | 'F16';

/** A tensor of 16-bit floats, raw bits as the file stores them (little-endian on every WebGPU host). */
export interface HalfArray {
  readonly dtype: HalfDtype;
  readonly bits: Uint16Array;
  readonly length: number;
}

/** A frozen weight matrix as stored: f32 values, or 16-bit floats widened on use. */
export type WeightArray = Float32Array | HalfArray;

export const halfArray = (dtype: HalfDtype, bits: Uint16Array): HalfArray => ({ dtype, bits, length: bits.length });

export const isHalf = (a: WeightArray): a is HalfArray => !(a instanceof Float32Array);

export const dtypeOf = (a: WeightArray): 'F32' | HalfDtype => (isHalf(a) ? a.dtype : 'F32');

/** Bytes this array holds of its own (a pruned array shares its dense bits and holds only its bitset). */
export const bytesOf = (a: WeightArray): number =>
  a instanceof PrunedHalfArray ? a.zeroed.length : isHalf(a) ? 2 * a.length : 4 * a.length;

/** Bytes of the values when written out (a file, an upload): 2 or 4 per element. */
export const valueBytesOf = (a: WeightArray): number => (isHalf(a) ? 2 * a.length : 4 * a.length);

/** Values [begin, end) as f32: a view for f32 storage, a fresh widened array for 16-bit storage. */
export function sliceToF32(a: WeightArray, begin = 0, end = a.length): Float32Array {
  if (!isHalf(a)) return a.subarray(begin, end);
  const bits = a.bits; // read once: a pruned array builds its bits on each read
  const out = new Float32Array(end - begin);
  if (a.dtype === 'BF16') {
    const u32 = new Uint32Array(out.buffer);
    for (let i = begin; i < end; i++) u32[i - begin] = bits[i] << 16;
  } else {
    const table = f16Table();
    for (let i = begin; i < end; i++) out[i - begin] = table[bits[i]];
  }
  return out;
}

/**
 * A pruned 16-bit matrix kept as its dense bits (the checkpoint's, shared) and a bitset of the zeroed
 * positions: 1/16 of a copy (docs/real-models.md §2). `bits` builds the pruned values on each read. A
 * zero is +0 ('plus': a method that writes 0) or keeps the dense value's sign ('signed': W ⊙ M),
 * whichever the pruned values had, so the bits equal those of a copy exactly.
 */
export class PrunedHalfArray implements HalfArray {
  constructor(
    readonly dtype: HalfDtype,
    readonly dense: Uint16Array,
    readonly zeroed: Uint8Array, // bit i of byte i >> 3: position i is pruned
    readonly zeros: 'plus' | 'signed',
  ) {}
  get length(): number {
    return this.dense.length;
  }
  get bits(): Uint16Array {
    const out = this.dense.slice();
    const keep = this.zeros === 'signed' ? 0x8000 : 0;
    for (let i = 0; i < out.length; i++) if (this.zeroed[i >> 3] & (1 << (i & 7))) out[i] &= keep;
    return out;
  }
}

/** The whole array as f32 (the same object for f32 storage). */
export const toF32 = (a: WeightArray): Float32Array => (isHalf(a) ? sliceToF32(a) : a);

/**
 * Store f32 values `x` in the element type of `like` (a pruned linear goes back to its checkpoint's
 * dtype). f32 → `x` itself. Rounding is to nearest, ties to even, as torch's .to(bfloat16/float16);
 * values that came from the same 16-bit format (kept weights, and the zeros of a mask) are exact.
 */
export function storeLike(like: WeightArray, x: Float32Array): WeightArray {
  if (!isHalf(like)) return x;
  const bits = new Uint16Array(x.length);
  const toBits = like.dtype === 'BF16' ? bf16Bits : f16Bits;
  for (let i = 0; i < x.length; i++) bits[i] = toBits(x[i]);
  return like instanceof PrunedHalfArray ? halfArray(like.dtype, bits) : (asPruned(like, bits) ?? halfArray(like.dtype, bits));
}

/** `bits` as dense ⊙ mask when that is exactly what they are (every value kept or zeroed), else null. */
function asPruned(dense: HalfArray, bits: Uint16Array): PrunedHalfArray | null {
  const d = dense.bits;
  if (d.length !== bits.length) return null;
  const zeroed = new Uint8Array((bits.length + 7) >> 3);
  let plus = true; // every zero is +0
  let signed = true; // every zero has the dense value's sign
  for (let i = 0; i < bits.length; i++) {
    if (bits[i] === d[i]) continue;
    if ((bits[i] & 0x7fff) !== 0) return null; // a changed value (SparseGPT's update): keep a copy
    plus &&= bits[i] === 0;
    signed &&= bits[i] === (d[i] & 0x8000);
    if (!plus && !signed) return null;
    zeroed[i >> 3] |= 1 << (i & 7);
  }
  return new PrunedHalfArray(dense.dtype, d, zeroed, signed ? 'signed' : 'plus');
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** f32 → bf16 bits, round to nearest even; NaN stays a quiet NaN. */
export function bf16Bits(x: number): number {
  f32Scratch[0] = x;
  const u = u32Scratch[0];
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) & 0x8000) | 0x7fc0;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/** f32 → IEEE binary16 bits, round to nearest even (overflow → ±Inf, tiny → subnormal or ±0). */
export function f16Bits(x: number): number {
  f32Scratch[0] = x;
  const u = u32Scratch[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const mant = u & 0x7fffff;
  if (exp === 0xff) return sign | (mant ? 0x7e00 : 0x7c00);
  const e = exp - 127 + 15; // rebias
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal (or zero): shift the full 24-bit significand; round to nearest even.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let h = m >>> shift;
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h; // a carry into the exponent field gives the smallest normal, as it should
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // a carry may round up to Inf: correct
  return sign | h;
}

/** IEEE binary16 bits → number (exact: every f16 value is representable in f32). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero / subnormal
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

let F16_TABLE: Float32Array | null = null;
export function f16Table(): Float32Array {
  if (!F16_TABLE) {
    F16_TABLE = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) F16_TABLE[h] = f16ToF32(h);
  }
  return F16_TABLE;
}

/** 1 where the stored value is ±0 (a pruned weight), else 0. */
export function zeroFlags(a: WeightArray): Uint8Array {
  const out = new Uint8Array(a.length);
  if (isHalf(a)) {
    const bits = a.bits;
    for (let i = 0; i < a.length; i++) out[i] = (bits[i] & 0x7fff) === 0 ? 1 : 0;
  } else for (let i = 0; i < a.length; i++) out[i] = a[i] === 0 ? 1 : 0;
  return out;
}

export function countZeros(a: WeightArray): number {
  let n = 0;
  if (isHalf(a)) {
    const bits = a.bits;
    for (let i = 0; i < a.length; i++) n += (bits[i] & 0x7fff) === 0 ? 1 : 0;
  } else for (let i = 0; i < a.length; i++) n += a[i] === 0 ? 1 : 0;
  return n;
}
