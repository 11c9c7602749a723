import { describe, expect, it } from 'vitest';
import { candidates, pruneCountsPerCandidate } from '../../src/core/besa/candidates';
import { prefixAtCandidates } from '../../src/core/besa/grad';
import { argsortRows, importance } from '../../src/core/besa/importance';
import { hardMask } from '../../src/core/besa/masks';
import { Rng } from '../../src/core/rng';
import { besaHardMask, besaPrefixAtK } from '../../src/gpu/kernels/besaMasks';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

function setup(rows: number, cols: number, seed: number) {
  const rng = new Rng(seed);
  const w = rng.normalArray(rows * cols);
  const scaler = new Float32Array(cols).map(() => rng.next() * 2);
  const sortIdx = argsortRows(importance(w, rows, cols, 'wanda', scaler), rows, cols);
  return { rng, sortIdx };
}

describe('BESA mask kernels vs CPU reference', () => {
  for (const [rows, cols, G] of [
    [1, 1, 1],
    [7, 300, 7],
    [37, 257, 37],
    [12, 70, 1],
    [10, 33, 5],
  ] as const) {
    it(`hard mask scatter rows=${rows} cols=${cols} G=${G} equals the reference loop`, async () => {
      const rt = await getRuntime();
      const { rng, sortIdx } = setup(rows, cols, rows * 100 + cols);
      const n = new Int32Array(G).map(() => rng.int(cols + 1));
      const ref = hardMask(n, sortIdx, rows, cols);
      const gIdx = rt.upload(new Uint32Array(sortIdx), 'sortIdx');
      const gN = rt.upload(new Uint32Array(n), 'n');
      const gM = rt.createBuffer(rows * cols * 4, 'M');
      besaHardMask(rt, gIdx, gN, gM, rows, cols, rows / G);
      const got = await rt.read(gM, rows * cols * 4);
      expect(Array.from(got)).toEqual(Array.from(ref));
      rt.destroy(gIdx, gN, gM);
    });

    it(`prefix sums at k_d rows=${rows} cols=${cols} equal the CPU prefix form`, async () => {
      const rt = await getRuntime();
      const { rng, sortIdx } = setup(rows, cols, rows * 7 + cols);
      const Gm = rng.normalArray(rows * cols);
      const cand = candidates(0.01);
      const kd = pruneCountsPerCandidate(cols, cand);
      const ref = prefixAtCandidates(Gm, sortIdx, kd, rows, cols, rows);
      const bufs = [rt.upload(Gm, 'G'), rt.upload(new Uint32Array(sortIdx), 'sortIdx'), rt.upload(new Uint32Array(kd), 'kd')];
      const out = rt.createBuffer(rows * kd.length * 4, 'pre');
      besaPrefixAtK(rt, bufs[0], bufs[1], bufs[2], out, rows, cols, kd.length);
      const got = await rt.read(out, rows * kd.length * 4);
      // f32 running sums of up to `cols` N(0,1) terms: error grows like sqrt(cols)·eps·|partial sums|.
      expectClose(got, ref, { atol: 2e-5 * Math.sqrt(cols), rtol: 1e-5, what: 'prefix' });
      rt.destroy(...bufs, out);
    });
  }

  // More candidates than one workgroup's scan (WG = 128): the scan carries its total across chunks.
  for (const [rows, cols, step] of [
    [5, 301, 0.004],
    [3, 130, 0.005],
  ] as const) {
    it(`prefix sums at k_d with ${Math.round(1 / step) + 1} candidates (rows=${rows} cols=${cols}) equal the CPU prefix form`, async () => {
      const rt = await getRuntime();
      const { rng, sortIdx } = setup(rows, cols, rows * 13 + cols);
      const Gm = rng.normalArray(rows * cols);
      const kd = pruneCountsPerCandidate(cols, candidates(step));
      expect(kd.length).toBeGreaterThan(128);
      const ref = prefixAtCandidates(Gm, sortIdx, kd, rows, cols, rows);
      const bufs = [rt.upload(Gm, 'G'), rt.upload(new Uint32Array(sortIdx), 'sortIdx'), rt.upload(new Uint32Array(kd), 'kd')];
      const out = rt.createBuffer(rows * kd.length * 4, 'pre');
      besaPrefixAtK(rt, bufs[0], bufs[1], bufs[2], out, rows, cols, kd.length);
      const got = await rt.read(out, rows * kd.length * 4);
      expectClose(got, ref, { atol: 2e-5 * Math.sqrt(cols), rtol: 1e-5, what: 'prefix' });
      rt.destroy(...bufs, out);
    });
  }
});
