// Element types of checkpoint files and their widening to f32 (docs/architecture.md §8: f32 everywhere,
// f16/bf16 widened on load). All formats we read are little-endian; the DataView reads below
// state the endianness explicitly so the code is correct on any host.

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

/** IEEE binary16 bits → number (exact: every f16 value is representable in f32). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero / subnormal
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

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

let F16_TABLE: Float32Array | null = null;
function f16Table(): Float32Array {
  if (!F16_TABLE) {
    F16_TABLE = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) F16_TABLE[h] = f16ToF32(h);
  }
  return F16_TABLE;
}
