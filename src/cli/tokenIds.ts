// Token ids from a file (--calib-ids / --eval-ids, docs/real-models.md §3): a model without a matching
// tokenizer (a llama2.c checkpoint whose tokenizer.bin is lost, or ids made by another program) can
// still be calibrated and evaluated. Formats, by extension:
//   .json  a list of integers (nested lists are flattened: [[...], [...]] is one long corpus)
//   .npy   a NumPy array of int16/int32/int64/uint8/uint16/uint32, any shape, C order (flattened)
//   other  raw little-endian int32
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CliArgumentError } from './args';

/** Parse the header of a .npy file (format versions 1–3) and return the ids. */
function fromNpy(bytes: Uint8Array, file: string): number[] | Int32Array {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b))
    throw new CliArgumentError(`${file}: not a .npy file (no \\x93NUMPY magic)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 + headerLen : 12 + headerLen;
  const header = new TextDecoder().decode(bytes.subarray(major === 1 ? 10 : 12, start));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  if (/'fortran_order':\s*True/.test(header))
    throw new CliArgumentError(`${file}: Fortran-order arrays are not supported; save with np.ascontiguousarray`);
  const sizes: Record<string, [number, (o: number) => number]> = {
    '<i2': [2, (o) => dv.getInt16(o, true)],
    '<i4': [4, (o) => dv.getInt32(o, true)],
    '<i8': [8, (o) => Number(dv.getBigInt64(o, true))],
    '|u1': [1, (o) => dv.getUint8(o)],
    '<u2': [2, (o) => dv.getUint16(o, true)],
    '<u4': [4, (o) => dv.getUint32(o, true)],
  };
  const kind = descr ? sizes[descr] : undefined;
  if (!kind) throw new CliArgumentError(`${file}: .npy dtype ${descr ?? '(none)'} is not an integer type; save the ids as int32 or int64`);
  const [size, get] = kind;
  const n = Math.floor((bytes.length - start) / size);
  return Array.from({ length: n }, (_, i) => get(start + i * size));
}

function fromJson(bytes: Uint8Array, file: string): number[] {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new CliArgumentError(`${file}: not valid JSON (${(e as Error).message}); write the ids as a JSON list of integers`);
  }
  if (!Array.isArray(v)) throw new CliArgumentError(`${file}: expected a JSON list of integer ids`);
  return (v as unknown[]).flat(Infinity) as number[];
}

/** Read token ids from `path` and check each is an integer id of a `vocabSize`-token model. */
export async function readTokenIds(path: string, vocabSize: number): Promise<{ id: string; ids: Int32Array }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new CliArgumentError(`cannot read token ids from ${path} (${(e as Error).message})`);
  }
  const file = basename(path);
  let raw: ArrayLike<number>;
  if (path.endsWith('.json')) raw = fromJson(bytes, file);
  else if (path.endsWith('.npy')) raw = fromNpy(bytes, file);
  else {
    if (bytes.length % 4)
      throw new CliArgumentError(`${file}: ${bytes.length} bytes is not a whole number of int32 ids (use .json or .npy for other formats)`);
    raw = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  }
  if (raw.length < 2) throw new CliArgumentError(`${file}: holds ${raw.length} token ids; a corpus needs at least a window's worth`);
  const ids = new Int32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i];
    if (!Number.isInteger(t) || t < 0 || t >= vocabSize)
      throw new CliArgumentError(
        `${file}: id ${String(t)} at position ${i} is not a token of this model (ids are 0…${vocabSize - 1}); the ids come from another tokenizer`,
      );
    ids[i] = t;
  }
  return { id: file.replace(/\.[^.]*$/, ''), ids };
}
