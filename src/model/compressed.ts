// The compressed-tensors "sparse-bitmask" format (issue #16): what vLLM and llm-compressor load as a sparse
// checkpoint. Each pruned linear `<p>.weight` [rows, cols] is stored as four tensors (docs/exports.md §1):
//   <p>.shape        I64 [2]                  rows, cols
//   <p>.compressed   the weight's dtype [nnz]  the non-zero values, row-major
//   <p>.bitmask      U8 [rows, ceil(cols/8)]  bit j%8 of byte j/8 of row r set when W[r, j] ≠ 0 (little bit order)
//   <p>.row_offsets  I64 [rows]               index in `compressed` where row r starts
// "non-zero" is `w != 0` as the library tests it: ±0 are both dropped (and come back as +0), NaN is kept.
// "sparse-24-bitmask" (2:4 masks) keeps exactly 2 values of every 4 and drops row_offsets (§2):
//   <p>.shape        I64 [2, 1]               rows, cols
//   <p>.compressed   the weight's dtype [rows, cols/2]
//   <p>.bitmask      U8 [rows, ceil(cols/8)]  as above, exactly 2 bits set per group of 4
// Golden tensors from the library's own compressors: tools/make_compressed_fixture.py.
import { CorruptFileError, ModelExportError } from './errors';
import { numel, type RawTensor, type TensorInfo, type TensorLayout, type TensorStore, type TensorToWrite } from './safetensors';
import { halfArray, isHalf, toF32, type HalfDtype, type WeightArray } from './weightArray';

/** The last compressed-tensors release that writes and reads sparse-bitmask (0.15.0 removed the compressors). */
export const COMPRESSED_TENSORS_VERSION = '0.14.0.1';
const PARTS = ['shape', 'compressed', 'bitmask', 'row_offsets'] as const;
/** What a group needs to decompress: row_offsets only speeds up a reader (and 2:4 groups have none). */
const REQUIRED_PARTS = ['shape', 'compressed', 'bitmask'] as const;
const valueBytes = (dtype: 'F32' | HalfDtype) => (dtype === 'F32' ? 4 : 2);

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
  const keep = keeper(bits ?? (w as Float32Array));
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

/** The tensors bitmaskCompress writes for a [rows, cols] weight with nnz non-zeros, without their values. */
export function bitmaskLayout(
  prefix: string,
  rows: number,
  cols: number,
  nnz: number,
  dtype: 'F32' | HalfDtype,
): Map<string, TensorLayout> {
  const stride = Math.ceil(cols / 8);
  return new Map<string, TensorLayout>([
    [`${prefix}.shape`, { dtype: 'I64', shape: [2], bytes: 16 }],
    [`${prefix}.compressed`, { dtype, shape: [nnz], bytes: nnz * valueBytes(dtype) }],
    [`${prefix}.bitmask`, { dtype: 'U8', shape: [rows, stride], bytes: rows * stride }],
    [`${prefix}.row_offsets`, { dtype: 'I64', shape: [rows], bytes: 8 * rows }],
  ]);
}

/** The tensors bitmask24Compress writes for a [rows, cols] weight, without their values. */
export function bitmask24Layout(prefix: string, rows: number, cols: number, dtype: 'F32' | HalfDtype): Map<string, TensorLayout> {
  const stride = Math.ceil(cols / 8);
  return new Map<string, TensorLayout>([
    [`${prefix}.shape`, { dtype: 'I64', shape: [2, 1], bytes: 16 }],
    [`${prefix}.compressed`, { dtype, shape: [rows, cols / 2], bytes: (rows * cols * valueBytes(dtype)) / 2 }],
    [`${prefix}.bitmask`, { dtype: 'U8', shape: [rows, stride], bytes: rows * stride }],
  ]);
}

/** f32 values or 16-bit float bits, read once (a pruned half array builds its bits on each read). */
const valuesOf = (w: WeightArray): Float32Array | Uint16Array => (isHalf(w) ? w.bits : w);
/** Whether value i is stored: `w != 0` as the library tests it (±0 dropped, NaN kept). */
const keeper = (src: Float32Array | Uint16Array) =>
  src instanceof Uint16Array ? (i: number) => (src[i] & 0x7fff) !== 0 : (i: number) => src[i] !== 0;

/** The first group of 4 along a row with more than 2 non-zeros ([row, first column]), or null when w is 2:4 sparse. */
export function first24Violation(w: WeightArray, rows: number, cols: number): [number, number] | null {
  if (cols % 4) return [0, cols - (cols % 4)];
  const keep = keeper(valuesOf(w));
  for (let i = 0; i < rows * cols; i += 4)
    if (+keep(i) + +keep(i + 1) + +keep(i + 2) + +keep(i + 3) > 2) return [Math.floor(i / cols), i % cols];
  return null;
}

/**
 * The three sparse-24-bitmask tensors of `<prefix>.weight` = w [rows, cols]: per group of 4 along a row, the
 * 2 non-zeros (the library keeps the 2 largest |w|, which for a 2:4 mask are its non-zeros). A group with more
 * than 2 non-zeros is refused rather than pruned further. In a group with fewer, the library flags whichever
 * zeros torch.topk's tie-breaking picks (not part of the format); we flag the last ones. Both decompress to
 * the same weights (docs/exports.md §2).
 */
export function bitmask24Compress(prefix: string, w: WeightArray, rows: number, cols: number): Map<string, TensorToWrite> {
  const bad = first24Violation(w, rows, cols);
  if (bad)
    throw new ModelExportError(
      'sparse-24-bitmask',
      cols % 4
        ? `"${prefix}.weight" has ${cols} columns, not a multiple of 4; export it as sparse-bitmask`
        : `"${prefix}.weight" row ${bad[0]}, columns ${bad[1]}–${bad[1] + 3} hold more than 2 non-zeros, so the model is not 2:4 sparse; prune with the 2:4 pattern (--nm 2:4), or export as sparse-bitmask`,
    );
  const stride = Math.ceil(cols / 8);
  const mask = new Uint8Array(rows * stride);
  const src = valuesOf(w);
  const vals = src instanceof Uint16Array ? new Uint16Array((rows * cols) / 2) : new Float32Array((rows * cols) / 2);
  const keep = keeper(src);
  let k = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c += 4) {
      const at = r * cols + c;
      let zerosToFlag = 2 - (+keep(at) + +keep(at + 1) + +keep(at + 2) + +keep(at + 3));
      const flag = [false, false, false, false];
      for (let j = 3; j >= 0; j--) flag[j] = keep(at + j) || zerosToFlag-- > 0;
      for (let j = 0; j < 4; j++)
        if (flag[j]) {
          mask[r * stride + ((c + j) >> 3)] |= 1 << ((c + j) & 7);
          vals[k++] = src[at + j];
        }
    }
  const compressed: WeightArray = isHalf(w) ? halfArray(w.dtype, vals as Uint16Array) : (vals as Float32Array);
  return new Map<string, TensorToWrite>([
    [`${prefix}.shape`, { shape: [2, 1], data: i64([rows, cols]) }],
    [`${prefix}.compressed`, { shape: [rows, cols / 2], data: compressed }],
    [`${prefix}.bitmask`, { shape: [rows, stride], data: { dtype: 'U8', bytes: mask, length: mask.length } }],
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
      for (const part of REQUIRED_PARTS)
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
