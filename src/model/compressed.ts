// The compressed-tensors "sparse-bitmask" format (issue #16): what vLLM and llm-compressor load as a sparse
// checkpoint. Each pruned linear `<p>.weight` [rows, cols] is stored as four tensors (docs/exports.md §1):
//   <p>.shape        I64 [2]                  rows, cols
//   <p>.compressed   the weight's dtype [nnz]  the non-zero values, row-major
//   <p>.bitmask      U8 [rows, ceil(cols/8)]  bit j%8 of byte j/8 of row r set when W[r, j] ≠ 0 (little bit order)
//   <p>.row_offsets  I64 [rows]               index in `compressed` where row r starts
// "non-zero" is `w != 0` as the library tests it: ±0 are both dropped (and come back as +0), NaN is kept.
// Golden tensors from the library's own compressor: tools/make_compressed_fixture.py.
import { CorruptFileError } from './errors';
import { numel, type RawTensor, type TensorInfo, type TensorStore, type TensorToWrite } from './safetensors';
import { halfArray, isHalf, toF32, type WeightArray } from './weightArray';

/** The last compressed-tensors release that writes and reads sparse-bitmask (0.15.0 removed the compressors). */
export const COMPRESSED_TENSORS_VERSION = '0.14.0.1';
const PARTS = ['shape', 'compressed', 'bitmask', 'row_offsets'] as const;

function i64(values: ArrayLike<number>): RawTensor {
  const bytes = new Uint8Array(8 * values.length);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) dv.setBigInt64(8 * i, BigInt(values[i]), true);
  return { dtype: 'I64', bytes, length: values.length };
}

/** The four tensors of `<prefix>.weight` = w [rows, cols] (row-major), keyed `<prefix>.<part>`. */
export function bitmaskCompress(prefix: string, w: WeightArray, rows: number, cols: number): Map<string, TensorToWrite> {
  const stride = Math.ceil(cols / 8);
  const mask = new Uint8Array(rows * stride);
  const offsets = new Array<number>(rows);
  const bits = isHalf(w) ? w.bits : null; // read once (a pruned half array builds its bits per read)
  const keep = (i: number) => (bits ? (bits[i] & 0x7fff) !== 0 : (w as Float32Array)[i] !== 0);
  let nnz = 0;
  for (let r = 0; r < rows; r++) {
    offsets[r] = nnz;
    for (let j = 0; j < cols; j++)
      if (keep(r * cols + j)) {
        mask[r * stride + (j >> 3)] |= 1 << (j & 7);
        nnz++;
      }
  }
  const vals = bits ? new Uint16Array(nnz) : new Float32Array(nnz);
  const src = bits ?? (w as Float32Array);
  for (let i = 0, k = 0; i < rows * cols; i++) if (keep(i)) vals[k++] = src[i];
  const compressed: WeightArray = bits ? halfArray((w as { dtype: 'BF16' | 'F16' }).dtype, vals as Uint16Array) : (vals as Float32Array);
  return new Map<string, TensorToWrite>([
    [`${prefix}.shape`, { shape: [2], data: i64([rows, cols]) }],
    [`${prefix}.compressed`, { shape: [nnz], data: compressed }],
    [`${prefix}.bitmask`, { shape: [rows, stride], data: { dtype: 'U8', bytes: mask, length: mask.length } }],
    [`${prefix}.row_offsets`, { shape: [rows], data: i64(offsets) }],
  ]);
}

/** Dense [rows, cols] in the stored dtype from the compressed values and the bitmask. */
export function bitmaskDecompress(
  file: string,
  prefix: string,
  rows: number,
  cols: number,
  values: WeightArray,
  mask: ArrayLike<number>,
): WeightArray {
  const stride = Math.ceil(cols / 8);
  if (mask.length !== rows * stride)
    throw new CorruptFileError(file, `"${prefix}.bitmask" has ${mask.length} bytes, [${rows}, ${cols}] needs ${rows * stride}`);
  const src = isHalf(values) ? values.bits : values;
  const out = isHalf(values) ? new Uint16Array(rows * cols) : new Float32Array(rows * cols);
  let k = 0;
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < cols; j++)
      if (mask[r * stride + (j >> 3)] & (1 << (j & 7))) {
        if (k >= src.length)
          throw new CorruptFileError(file, `"${prefix}.bitmask" marks more weights than "${prefix}.compressed" holds (${src.length})`);
        out[r * cols + j] = src[k++];
      }
  if (k !== src.length) throw new CorruptFileError(file, `"${prefix}.compressed" holds ${src.length} values, the bitmask marks ${k}`);
  return isHalf(values) ? halfArray(values.dtype, out as Uint16Array) : (out as Float32Array);
}

/**
 * A TensorStore that shows every sparse-bitmask group `<p>.{shape,compressed,bitmask,row_offsets}` as the dense
 * `<p>.weight` (decompressed on read), and every other tensor as it is: the loader reads a compressed export
 * through it like any checkpoint.
 */
export class BitmaskDecompressingStore implements TensorStore {
  private readonly groups = new Set<string>();
  constructor(private readonly inner: TensorStore) {
    for (const n of inner.names()) if (n.endsWith('.bitmask')) this.groups.add(n.slice(0, -'.bitmask'.length));
    for (const p of this.groups)
      for (const part of PARTS)
        if (!inner.has(`${p}.${part}`))
          throw new CorruptFileError(inner.fileOf(`${p}.bitmask`), `sparse-bitmask tensor "${p}.${part}" is missing`);
  }
  static wrapIfCompressed(store: TensorStore): TensorStore {
    return store.names().some((n) => n.endsWith('.bitmask')) ? new BitmaskDecompressingStore(store) : store;
  }
  private group(name: string): string | null {
    const p = name.endsWith('.weight') ? name.slice(0, -'.weight'.length) : null;
    return p !== null && this.groups.has(p) ? p : null;
  }
  names(): string[] {
    const plain = this.inner
      .names()
      .filter((n) => !PARTS.some((part) => this.groups.has(n.slice(0, -(part.length + 1))) && n.endsWith(`.${part}`)));
    return [...plain, ...[...this.groups].map((p) => `${p}.weight`)];
  }
  has(name: string): boolean {
    return this.group(name) !== null || this.inner.has(name);
  }
  private shapeOf(p: string): [number, number] {
    const s = this.inner.ints(`${p}.shape`);
    if (s.length !== 2 || !s.every((v) => Number.isInteger(v) && v > 0))
      throw new CorruptFileError(this.inner.fileOf(`${p}.shape`), `"${p}.shape" is [${s.join(', ')}], not [rows, cols]`);
    return [s[0], s[1]];
  }
  info(name: string): TensorInfo {
    const p = this.group(name);
    if (p === null) return this.inner.info(name);
    const c = this.inner.info(`${p}.compressed`);
    const shape = this.shapeOf(p);
    return { dtype: c.dtype, shape, begin: c.begin, end: c.begin + numel(shape) * (c.dtype === 'F32' ? 4 : 2) };
  }
  stored(name: string): WeightArray {
    const p = this.group(name);
    if (p === null) return this.inner.stored(name);
    const [rows, cols] = this.shapeOf(p);
    return bitmaskDecompress(this.fileOf(name), p, rows, cols, this.inner.stored(`${p}.compressed`), this.inner.ints(`${p}.bitmask`));
  }
  f32(name: string): Float32Array {
    return toF32(this.stored(name));
  }
  fileOf(name: string): string {
    const p = this.group(name);
    return this.inner.fileOf(p === null ? name : `${p}.compressed`);
  }
  ints(name: string): number[] {
    return this.inner.ints(name);
  }
}
