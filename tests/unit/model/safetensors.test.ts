import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { f16ToF32 } from '../../../src/model/weightArray';
import {
  CorruptFileError,
  HeaderTooLargeError,
  MissingTensorError,
  TruncatedFileError,
  UnknownDtypeError,
} from '../../../src/model/errors';
import { parseSafetensors, writeSafetensors } from '../../../src/model/safetensors';
import { parseShardIndex, ShardedTensors } from '../../../src/model/shards';

/** Build a safetensors file by hand (independent of writeSafetensors) from raw tensor bytes. */
function rawFile(tensors: Record<string, { dtype: string; shape: number[]; bytes: number[] }>, pad = 0): Uint8Array {
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [k, t] of Object.entries(tensors)) {
    header[k] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.bytes.length] };
    off += t.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const t of Object.values(tensors)) {
    out.set(t.bytes, p);
    p += t.bytes.length;
  }
  return out;
}
const le16 = (...v: number[]) => v.flatMap((x) => [x & 0xff, x >>> 8]);

describe('safetensors reader', () => {
  it('widens F16 and BF16 from known IEEE bit patterns', () => {
    // f16: 1.0=0x3C00, -2=0xC000, 65504=0x7BFF (max), 2^-24=0x0001 (min subnormal), 2^-14=0x0400, 0.333251953125=0x3555, -0=0x8000, +inf=0x7C00
    const f16bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x3555, 0x8000, 0x7c00, 0x7e00];
    const f16want = [1, -2, 65504, 2 ** -24, 2 ** -14, 0.333251953125, -0, Infinity, NaN];
    // bf16: 1.0=0x3F80, -2=0xC000, pi≈0x4049 (3.140625), 1e-38-ish subnormal 0x0001 = 2^-133, max 0x7F7F = 3.3895313892515355e38
    const bfbits = [0x3f80, 0xc000, 0x4049, 0x0001, 0x7f7f, 0xff80];
    const bfwant = [1, -2, 3.140625, 2 ** -133, 3.3895313892515355e38, -Infinity];
    // 3 leading bytes of padding make the tensors unaligned on purpose.
    const f = parseSafetensors(
      rawFile({ a: { dtype: 'F16', shape: [3, 3], bytes: le16(...f16bits) }, b: { dtype: 'BF16', shape: [6], bytes: le16(...bfbits) } }, 3),
    );
    const a = f.f32('a');
    f16want.forEach((w, i) => (Number.isNaN(w) ? expect(a[i]).toBeNaN() : expect(Object.is(a[i], w) || a[i] === w).toBe(true)));
    expect(Object.is(a[6], -0)).toBe(true);
    expect(Array.from(f.f32('b'))).toEqual(bfwant);
    expect(f.info('a').shape).toEqual([3, 3]);
    expect(f16ToF32(0x3555)).toBe(0.333251953125);
  });

  it('reads I32 / I64 / U8 integer tensors', () => {
    const i64 = new DataView(new ArrayBuffer(16));
    i64.setBigInt64(0, -5n, true);
    i64.setBigInt64(8, 2n ** 40n, true);
    const i32 = new DataView(new ArrayBuffer(8));
    i32.setInt32(0, -7, true);
    i32.setInt32(4, 123456, true);
    const f = parseSafetensors(
      rawFile(
        {
          x: { dtype: 'I64', shape: [2], bytes: [...new Uint8Array(i64.buffer)] },
          y: { dtype: 'I32', shape: [2], bytes: [...new Uint8Array(i32.buffer)] },
          z: { dtype: 'U8', shape: [2], bytes: [200, 3] },
        },
        1,
      ),
    );
    expect(f.ints('x')).toEqual([-5, 2 ** 40]);
    expect(f.ints('y')).toEqual([-7, 123456]);
    expect(f.ints('z')).toEqual([200, 3]);
    expect(() => f.f32('x')).toThrow(UnknownDtypeError);
  });

  it('round-trips F32 through the writer with HF-compatible header (format pt, 8-byte aligned, space padding)', () => {
    const rng = new Rng(11);
    const t = {
      'model.w': { shape: [7, 5], data: rng.normalArray(35) },
      'a.bias': { shape: [3], data: rng.normalArray(3) },
      empty: { shape: [0, 4], data: new Float32Array(0) },
    };
    const bytes = writeSafetensors(t, { note: 'x' });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect((8 + n) % 8).toBe(0);
    expect(new DataView(bytes.buffer).getUint32(4, true)).toBe(0);
    const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(headerText.startsWith('{')).toBe(true);
    expect(headerText.trimEnd().endsWith('}')).toBe(true);
    expect(headerText.slice(headerText.trimEnd().length)).toMatch(/^ *$/); // padding is spaces only
    expect(JSON.parse(headerText).__metadata__).toEqual({ format: 'pt', note: 'x' });
    const f = parseSafetensors(bytes);
    expect(f.metadata.format).toBe('pt');
    expect(f.f32('model.w')).toEqual(t['model.w'].data);
    expect(f.f32('a.bias')).toEqual(t['a.bias'].data);
    expect(f.info('empty').shape).toEqual([0, 4]);
    // data region is contiguous and ends exactly at EOF (what the Rust reader requires)
    const ends = f.names().map((k) => f.info(k).end);
    expect(Math.max(...ends)).toBe(bytes.length);
  });

  it('validates the header and names the problem', () => {
    const good = rawFile({ w: { dtype: 'F32', shape: [2], bytes: [0, 0, 128, 63, 0, 0, 0, 64] } });
    expect(() => parseSafetensors(good.subarray(0, 5))).toThrow(TruncatedFileError);
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(4, 1, true); // 2^32 + n
    expect(() => parseSafetensors(huge)).toThrow(HeaderTooLargeError);
    const tooLong = good.slice();
    new DataView(tooLong.buffer).setUint32(0, 5000, true);
    expect(() => parseSafetensors(tooLong)).toThrow(HeaderTooLargeError);
    expect(() => parseSafetensors(good.subarray(0, good.length - 1))).toThrow(TruncatedFileError);
    expect(() => parseSafetensors(rawFile({ w: { dtype: 'F32', shape: [3], bytes: new Array(8).fill(0) } }))).toThrow(/shape \[3\]/);
    expect(() => parseSafetensors(rawFile({ w: { dtype: 'Q4', shape: [2], bytes: [0, 0] } }))).toThrow(UnknownDtypeError);
    const hdr = JSON.stringify({
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
    });
    const ov = new Uint8Array(8 + hdr.length + 8);
    new DataView(ov.buffer).setUint32(0, hdr.length, true);
    ov.set(new TextEncoder().encode(hdr), 8);
    expect(() => parseSafetensors(ov)).toThrow(/overlap/);
    const bad = good.slice();
    bad[8] = 0x5b; // '[' : JSON array, not object
    expect(() => parseSafetensors(bad)).toThrow(CorruptFileError);
    expect(() => parseSafetensors(good).f32('nope')).toThrow(MissingTensorError);
  });
});

describe('sharded checkpoints', () => {
  it('routes tensors through model.safetensors.index.json and reports missing ones', () => {
    const a = parseSafetensors(writeSafetensors({ x: { shape: [2], data: Float32Array.of(1, 2) } }), 'model-00001-of-00002.safetensors');
    const b = parseSafetensors(writeSafetensors({ y: { shape: [1], data: Float32Array.of(3) } }), 'model-00002-of-00002.safetensors');
    const idx = parseShardIndex(
      new TextEncoder().encode(JSON.stringify({ metadata: { total_size: 12 }, weight_map: { x: a.file, y: b.file } })),
    );
    expect(idx.files).toEqual([a.file, b.file]);
    const s = new ShardedTensors(
      idx,
      new Map([
        [a.file, a],
        [b.file, b],
      ]),
    );
    expect(Array.from(s.f32('y'))).toEqual([3]);
    expect(s.fileOf('x')).toBe(a.file);
    const wrong = parseShardIndex(new TextEncoder().encode(JSON.stringify({ weight_map: { x: b.file } })));
    expect(() => new ShardedTensors(wrong, new Map([[b.file, b]]))).toThrow(MissingTensorError);
    expect(() => parseShardIndex(new TextEncoder().encode(JSON.stringify({ weight_map: { x: '../etc/passwd' } })))).toThrow(
      CorruptFileError,
    );
  });
});
