// Hand-written .safetensors reader/writer (format: https://github.com/huggingface/safetensors).
// Layout: u64 LE header length N | N bytes of UTF-8 JSON header | data region.
// Header: { "__metadata__"?: {str: str}, name: {dtype, shape, data_offsets: [begin, end]} } with
// offsets relative to the start of the data region. The whole header is validated BEFORE any tensor
// is allocated, so a corrupt or hostile file fails with a named error instead of a huge allocation.

import { FLOAT_DTYPES, SAFETENSORS_DTYPE_SIZE, storedFrom, widenToF32 } from './dtypes';
import {
  CorruptFileError,
  HeaderTooLargeError,
  MissingTensorError,
  ModelExportError,
  TruncatedFileError,
  UnknownDtypeError,
} from './errors';
import { dtypeOf, isHalf, valueBytesOf, type WeightArray } from './weightArray';

/** Same limit as the reference Rust implementation (MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;

export interface TensorInfo {
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file (data_offsets shifted by 8 + N). */
  begin: number;
  end: number;
}

/** Read access to named tensors, whatever file(s) they live in. */
export interface TensorStore {
  names(): string[];
  has(name: string): boolean;
  info(name: string): TensorInfo;
  /** Float tensor widened to a fresh Float32Array. */
  f32(name: string): Float32Array;
  /** Float tensor in its stored type (a view into the file where aligned; docs/real-models.md §2). */
  stored(name: string): WeightArray;
  /** The file a tensor lives in (for error messages). */
  fileOf(name: string): string;
  /** Integer tensor as plain numbers (I64 beyond 2^53 refused). */
  ints(name: string): number[];
}

export class SafetensorsFile implements TensorStore {
  constructor(
    readonly file: string,
    readonly bytes: Uint8Array,
    readonly tensors: ReadonlyMap<string, TensorInfo>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {}

  names(): string[] {
    return [...this.tensors.keys()];
  }
  has(name: string): boolean {
    return this.tensors.has(name);
  }
  fileOf(): string {
    return this.file;
  }
  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new MissingTensorError(this.file, name);
    return t;
  }
  f32(name: string): Float32Array {
    const t = this.info(name);
    if (!(FLOAT_DTYPES as readonly string[]).includes(t.dtype)) throw new UnknownDtypeError(this.file, name, t.dtype, FLOAT_DTYPES);
    return widenToF32(this.bytes, t.begin, numel(t.shape), t.dtype);
  }
  stored(name: string): WeightArray {
    const t = this.info(name);
    if (!(FLOAT_DTYPES as readonly string[]).includes(t.dtype)) throw new UnknownDtypeError(this.file, name, t.dtype, FLOAT_DTYPES);
    return storedFrom(this.bytes, t.begin, numel(t.shape), t.dtype);
  }
  /** Integer tensor (I32/I64/I16/I8/U8...) as plain numbers; I64 values beyond 2^53 are refused. */
  ints(name: string): number[] {
    const t = this.info(name);
    const n = numel(t.shape);
    const dv = new DataView(this.bytes.buffer, this.bytes.byteOffset + t.begin, t.end - t.begin);
    const get: Record<string, (i: number) => number | bigint> = {
      I64: (i) => dv.getBigInt64(8 * i, true),
      U64: (i) => dv.getBigUint64(8 * i, true),
      I32: (i) => dv.getInt32(4 * i, true),
      U32: (i) => dv.getUint32(4 * i, true),
      I16: (i) => dv.getInt16(2 * i, true),
      U16: (i) => dv.getUint16(2 * i, true),
      I8: (i) => dv.getInt8(i),
      U8: (i) => dv.getUint8(i),
      BOOL: (i) => dv.getUint8(i),
    };
    const g = get[t.dtype];
    if (!g) throw new UnknownDtypeError(this.file, name, t.dtype, Object.keys(get));
    const out: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = g(i);
      if (typeof v === 'bigint' && (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)))
        throw new CorruptFileError(this.file, `tensor "${name}" holds an integer beyond 2^53`, 'Store it as a smaller integer type.');
      out[i] = Number(v);
    }
    return out;
  }
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Parse and fully validate a safetensors file held in memory. Tensors are widened lazily by f32(). */
export function parseSafetensors(bytes: Uint8Array, file = 'model.safetensors'): SafetensorsFile {
  if (bytes.length < 8) throw new TruncatedFileError(file, 8, bytes.length, 'the 8-byte header length');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER_BYTES) throw new HeaderTooLargeError(file, (BigInt(hi) << 32n) | BigInt(lo), MAX_HEADER_BYTES);
  const n = lo;
  if (8 + n > bytes.length) {
    if (n > bytes.length) throw new HeaderTooLargeError(file, n, bytes.length - 8);
    throw new TruncatedFileError(file, 8 + n, bytes.length, 'the JSON header');
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new CorruptFileError(file, `header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isObj(json)) throw new CorruptFileError(file, 'header is not a JSON object');

  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isObj(v) || !Object.values(v).every((s) => typeof s === 'string'))
        throw new CorruptFileError(file, '__metadata__ must be an object of strings');
      metadata = v as Record<string, string>;
      continue;
    }
    if (!isObj(v)) throw new CorruptFileError(file, `entry "${name}" is not an object`);
    const { dtype, shape, data_offsets: offs } = v;
    if (typeof dtype !== 'string') throw new CorruptFileError(file, `tensor "${name}" has no dtype string`);
    const size = SAFETENSORS_DTYPE_SIZE[dtype];
    if (size === undefined) throw new UnknownDtypeError(file, name, dtype, Object.keys(SAFETENSORS_DTYPE_SIZE));
    if (!Array.isArray(shape) || !shape.every(isUint)) throw new CorruptFileError(file, `tensor "${name}" has an invalid shape`);
    if (!Array.isArray(offs) || offs.length !== 2 || !isUint(offs[0]) || !isUint(offs[1]) || offs[0] > offs[1])
      throw new CorruptFileError(file, `tensor "${name}" has invalid data_offsets`);
    const [b, e] = offs as [number, number];
    if (e > dataLen) throw new TruncatedFileError(file, dataStart + e, bytes.length, `tensor "${name}"`);
    const count = numel(shape as number[]);
    if (!Number.isSafeInteger(count * size) || count * size !== e - b)
      throw new CorruptFileError(
        file,
        `tensor "${name}": shape [${shape.join(', ')}] × ${size} bytes (${dtype}) ≠ its ${e - b}-byte data range`,
      );
    tensors.set(name, { dtype, shape: shape as number[], begin: dataStart + b, end: dataStart + e });
  }
  // Tensors must not share bytes (the reference implementation also refuses overlaps).
  const sorted = [...tensors.entries()].sort((x, y) => x[1].begin - y[1].begin || x[1].end - y[1].end);
  for (let i = 1; i < sorted.length; i++) {
    const [pn, p] = sorted[i - 1];
    const [cn, c] = sorted[i];
    if (c.begin < p.end && c.end > c.begin && p.end > p.begin)
      throw new CorruptFileError(file, `tensors "${pn}" and "${cn}" overlap in the data region`);
  }
  return new SafetensorsFile(file, bytes, tensors, metadata);
}

/** Integer tensor bytes written as they are (compressed exports: I64 shapes and offsets, U8 bitmasks). */
export interface RawTensor {
  readonly dtype: 'I64' | 'U8';
  readonly bytes: Uint8Array; // little-endian
  readonly length: number; // elements
}

export const isRawTensor = (d: WeightArray | RawTensor): d is RawTensor => 'bytes' in d;

export interface TensorToWrite {
  shape: readonly number[];
  /** f32 values, 16-bit floats written as BF16/F16 (an export keeps the checkpoint's dtype), or raw integers. */
  data: WeightArray | RawTensor;
}

const dtypeOfData = (d: WeightArray | RawTensor) => (isRawTensor(d) ? d.dtype : dtypeOf(d));
const bytesOfData = (d: WeightArray | RawTensor) => (isRawTensor(d) ? d.bytes.byteLength : valueBytesOf(d));

/** What a tensor takes in a file, without its values: enough to size a file before building it. */
export interface TensorLayout {
  dtype: string;
  shape: readonly number[];
  bytes: number;
}

const layoutOf = (t: TensorToWrite): TensorLayout => ({ dtype: dtypeOfData(t.data), shape: t.shape, bytes: bytesOfData(t.data) });
/**
 * The reference writer's order (safetensors' `prepare`): wider dtypes first, then by name. Header keys and data
 * follow it, so our files are byte-identical to `safetensors.torch.save_file`'s (tests/unit/model/compressed.test.ts).
 */
const DTYPE_RANK: Record<string, number> = { I64: 0, F32: 1, BF16: 2, F16: 3, U8: 4 };
function inWriterOrder<T extends { dtype: string }>(entries: [string, T][]): [string, T][] {
  return entries.sort((a, b) => (DTYPE_RANK[a[1].dtype] ?? 9) - (DTYPE_RANK[b[1].dtype] ?? 9) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
const entriesOf = <T>(m: ReadonlyMap<string, T> | Record<string, T>): [string, T][] =>
  m instanceof Map ? [...m.entries()] : Object.entries(m);

/** The header JSON (tensors in name order, data packed in that order) and the size of the data region. */
function headerOf(entries: [string, TensorLayout][], metadata: Record<string, string>): { json: Uint8Array; padded: number; data: number } {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', ...metadata } };
  let off = 0;
  for (const [name, t] of entries) {
    header[name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [off, off + t.bytes] };
    off += t.bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  return { json, padded: Math.ceil((8 + json.length) / 8) * 8 - 8, data: off };
}

/** The exact byte size writeSafetensors would produce for tensors of these layouts (exports report it, issue #16). */
export function safetensorsSize(
  layouts: ReadonlyMap<string, TensorLayout> | Record<string, TensorLayout>,
  metadata: Record<string, string> = {},
): number {
  const h = headerOf(inWriterOrder(entriesOf(layouts)), metadata);
  return 8 + h.padded + h.data;
}

/**
 * Write F32/BF16/F16 tensors as a safetensors file loadable by `safetensors.torch.load_file` / HF
 * (`__metadata__.format = "pt"`; header padded with spaces so the data region is 8-byte aligned).
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata: Record<string, string> = {},
): Uint8Array {
  for (const [name, t] of entriesOf(tensors))
    if (numel(t.shape) !== t.data.length)
      throw new ModelExportError(
        'writeSafetensors',
        `"${name}" shape [${t.shape.join(', ')}] does not match its ${t.data.length} values; pass data with one value per element of the shape`,
      );
  const entries = inWriterOrder(
    entriesOf(tensors).map(([n, t]) => [n, { ...layoutOf(t), t }] as [string, TensorLayout & { t: TensorToWrite }]),
  );
  const { json, padded, data } = headerOf(entries, metadata);
  const out = new Uint8Array(8 + padded + data);
  new DataView(out.buffer).setUint32(0, padded, true); // high 32 bits stay 0
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let p = 8 + padded;
  for (const [, { t }] of entries) {
    const d = t.data;
    const a = isRawTensor(d) ? d.bytes : isHalf(d) ? d.bits : d;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p); // host is little-endian (all WebGPU targets)
    p += a.byteLength;
  }
  return out;
}
