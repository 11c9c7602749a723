// Seeded input mutations for the fuzz tests (tests/unit/model/fuzz.test.ts, tests/unit/prune/reportFile.test.ts):
// truncations, random bytes and 32-bit words in binary files; one JSON node replaced by a weird value or deleted.
import type { Rng } from '../../src/core/rng';

export const WEIRD: unknown[] = [
  null,
  -1,
  0,
  1,
  2 ** 53,
  1e308,
  -1e308,
  0.5,
  'x',
  '',
  'F16',
  [],
  [1, 2],
  [-1, 5],
  {},
  { a: 1 },
  true,
  4294967295,
];

export function mutateBytes(b: Uint8Array, rng: Rng): Uint8Array {
  const kind = rng.int(3);
  if (kind === 0) return b.slice(0, rng.int(b.length));
  const out = b.slice();
  if (kind === 1) {
    for (let k = 1 + rng.int(8); k > 0; k--) out[rng.int(Math.min(out.length, rng.next() < 0.7 ? 256 : out.length))] = rng.int(256);
  } else {
    const dv = new DataView(out.buffer);
    const at = 4 * rng.int(Math.min(8, out.length >> 2));
    dv.setUint32(at, rng.next() < 0.5 ? rng.int(2 ** 32) : rng.int(64), true);
  }
  return out;
}

/** Replace one random node of a JSON value with a weird value (or delete it). */
export function mutateJson(v: unknown, rng: Rng): unknown {
  const copy = JSON.parse(JSON.stringify(v));
  let node = copy;
  for (let depth = 0; depth < 6; depth++) {
    const keys = node && typeof node === 'object' ? Object.keys(node) : [];
    if (!keys.length) break;
    const k = keys[rng.int(keys.length)];
    const child = node[k];
    if (child && typeof child === 'object' && rng.next() < 0.6) {
      node = child;
      continue;
    }
    if (rng.next() < 0.2 && !Array.isArray(node)) delete node[k];
    else node[k] = WEIRD[rng.int(WEIRD.length)];
    break;
  }
  return copy;
}
