// Element types of checkpoint files: widening to f32, and 16-bit weights kept as stored
// (docs/real-models.md §2: bf16/f16 weights stay 16-bit in memory; the math widens them per block).
// All formats we read are little-endian; the DataView reads below state the endianness explicitly.

import { f16Table, halfArray, type WeightArray } from './weightArray';

/** Bytes per element of every dtype name the safetensors format defines. */
export const SAFETENSORS_DTYPE_SIZE: Readonly<Record<string, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

/** Dtypes we widen to Float32Array for weights. */
export const FLOAT_DTYPES = ['F32', 'F16', 'BF16', 'F64'] as const;

/**
 * Widen `n` elements of `dtype` starting at `bytes[off]` into a new Float32Array.
 * bf16 is the top half of an f32, so widening is a 16-bit shift; f16 goes through a 64k table.
 */
export function widenToF32(bytes: Uint8Array, off: number, n: number, dtype: string): Float32Array {
  const out = new Float32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + off, n * (SAFETENSORS_DTYPE_SIZE[dtype] ?? 0));
  switch (dtype) {
    case 'F32':
      if ((bytes.byteOffset + off) % 4 === 0) out.set(new Float32Array(bytes.buffer, bytes.byteOffset + off, n));
      else for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(8 * i, true);
      break;
    case 'BF16': {
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u32[i] = dv.getUint16(2 * i, true) << 16;
      break;
    }
    case 'F16': {
      const table = f16Table();
      for (let i = 0; i < n; i++) out[i] = table[dv.getUint16(2 * i, true)];
      break;
    }
    default:
      throw new Error(`widenToF32: not a float dtype: ${dtype}`); // callers check FLOAT_DTYPES first
  }
  return out;
}

/**
 * `n` elements of `dtype` at `bytes[off]` as stored: f32 and 16-bit data are views into `bytes` when
 * aligned (no copy: the file's bytes are the weights), else copies; f64 is narrowed to f32.
 */
export function storedFrom(bytes: Uint8Array, off: number, n: number, dtype: string): WeightArray {
  const at = bytes.byteOffset + off;
  if (dtype === 'BF16' || dtype === 'F16') {
    const bits = at % 2 === 0 ? new Uint16Array(bytes.buffer, at, n) : new Uint16Array(bytes.slice(off, off + 2 * n).buffer);
    return halfArray(dtype, bits);
  }
  if (dtype === 'F32' && at % 4 === 0) return new Float32Array(bytes.buffer, at, n);
  return widenToF32(bytes, off, n, dtype);
}
