// BESA step masks built by the GPU executor (docs/besa.md §1.5, GpuBlockExecutor.besaHardMasks) on the micro model
// (linears 32×32, 16×32, 88×32, 32×88: not tile multiples): the device-built masks equal hardMask(...) for
// random sort orders and counts, row-wise (G = rows), grouped (8 rows per logit row) and layer-wise (G = 1);
// forward and besaPrefix with them equal the same calls with the masks uploaded; a step uploads only X, dY
// and the counts; a stale handle still runs with its own masks.
import { describe, expect, it } from 'vitest';
import { hardMask } from '../../src/core/besa/masks';
import { Rng } from '../../src/core/rng';
import { embedCpu } from '../../src/model/forward';
import { linearOf, LINEAR_NAMES, type BlockWeights, type LinearName } from '../../src/model/spec';
import type { BesaCounts, BesaOrder, MaskSet } from '../../src/prune/executor';
import { GpuBlockExecutor } from '../../src/prune/gpuExecutor';
import { calibIds, loadMicro, microConfig } from '../unit/prune/engineFixture';
import { getRuntime } from './setup';

function randomOrder(blk: BlockWeights, rng: Rng): BesaOrder {
  const order = {} as BesaOrder;
  for (const n of LINEAR_NAMES) {
    const { out: rows, in: cols } = linearOf(blk, n);
    const sortIdx = new Int32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const perm = Array.from({ length: cols }, (_, j) => j);
      for (let j = cols - 1; j > 0; j--) {
        const k = rng.int(j + 1);
        [perm[j], perm[k]] = [perm[k], perm[j]];
      }
      sortIdx.set(perm, r * cols);
    }
    order[n] = { sortIdx, kd: Int32Array.from({ length: 101 }, (_, d) => Math.trunc((cols * (100 - d)) / 100)) };
  }
  return order;
}

/** Counts in [0, cols] with G = rows / rowsPerGroup logit rows (rowsPerGroup = rows: layer-wise); both ends included. */
function randomCounts(blk: BlockWeights, rng: Rng, rowsPerGroup: (rows: number) => number): BesaCounts {
  const counts = {} as BesaCounts;
  for (const n of LINEAR_NAMES) {
    const { out: rows, in: cols } = linearOf(blk, n);
    const c = Int32Array.from({ length: rows / rowsPerGroup(rows) }, () => rng.int(cols + 1));
    if (c.length > 2) [c[0], c[1]] = [0, cols];
    counts[n] = c;
  }
  return counts;
}

const hostMasks = (blk: BlockWeights, order: BesaOrder, counts: BesaCounts) =>
  Object.fromEntries(
    LINEAR_NAMES.map((n) => [n, hardMask(counts[n], order[n].sortIdx, linearOf(blk, n).out, linearOf(blk, n).in)]),
  ) as Record<LinearName, Float32Array>;

describe('GPU executor builds BESA hard masks from counts', () => {
  for (const [mode, rowsPerGroup] of [
    ['row-wise', () => 1],
    ['8 rows per logit row', () => 8],
    ['layer-wise', (rows: number) => rows],
  ] as const) {
    it(`${mode}: device masks equal hardMask; forward and besaPrefix equal the uploaded-mask path; only X, dY and counts are uploaded`, async () => {
      const m = await loadMicro();
      const rt = await getRuntime();
      const gpu = new GpuBlockExecutor(rt, m.spec);
      const blk = m.weights.blocks[1];
      const cfg = microConfig({ nsamples: 1, seqlen: 19 });
      const X = embedCpu(m.spec, m.weights, calibIds(m, cfg));
      const rng = new Rng(rowsPerGroup(88) * 31 + 5);
      const order = randomOrder(blk, rng);
      const dY = rng.normalArray(X.length, 0.1);
      const step = async (masks: MaskSet) => {
        const f = await gpu.forward(blk, X, masks, { save: true });
        return { y: f.y, pre: await gpu.besaPrefix(blk, masks, f.saved, dY, order) };
      };
      await step(gpu.besaHardMasks(blk, order, randomCounts(blk, rng, rowsPerGroup))); // uploads sortIdx/kd once
      const counts = randomCounts(blk, rng, rowsPerGroup);
      const ref = hostMasks(blk, order, counts);

      const write = rt.write;
      let bytes = 0;
      rt.write = (b, d, o) => ((bytes += d.byteLength), write.call(rt, b, d, o));
      let dev: Awaited<ReturnType<typeof step>>;
      try {
        dev = await step(gpu.besaHardMasks(blk, order, counts));
      } finally {
        rt.write = write;
      }
      const countBytes = LINEAR_NAMES.reduce((a, n) => a + counts[n].byteLength, 0);
      expect(bytes).toBe(2 * X.byteLength + countBytes);

      // white-box: the executor's mask buffers hold exactly hardMask(counts, sortIdx)
      const maskBufs = (gpu as unknown as { maskBufs: Map<LinearName, GPUBuffer> }).maskBufs;
      for (const n of LINEAR_NAMES) {
        const got = await rt.read(maskBufs.get(n)!, ref[n].byteLength);
        expect(Array.from(got), n).toEqual(Array.from(ref[n]));
      }
      const up = await step({ ...ref }); // a plain MaskSet of arrays: uploaded
      expect(Array.from(dev.y)).toEqual(Array.from(up.y));
      for (const n of LINEAR_NAMES) expect(Array.from(dev.pre[n]), n).toEqual(Array.from(up.pre[n]));
      gpu.dispose();
    });
  }

  it('a stale handle (another besaHardMasks since) still runs with its own masks', async () => {
    const m = await loadMicro();
    const rt = await getRuntime();
    const gpu = new GpuBlockExecutor(rt, m.spec);
    const blk = m.weights.blocks[0];
    const X = embedCpu(m.spec, m.weights, calibIds(m, microConfig({ nsamples: 1, seqlen: 13 })));
    const rng = new Rng(77);
    const order = randomOrder(blk, rng);
    const c1 = randomCounts(blk, rng, () => 1);
    const c2 = randomCounts(blk, rng, () => 1);
    const h1 = gpu.besaHardMasks(blk, order, c1);
    const h2 = gpu.besaHardMasks(blk, order, c2);
    const y1 = (await gpu.forward(blk, X, h1)).y;
    const y2 = (await gpu.forward(blk, X, h2)).y;
    const r1 = (await gpu.forward(blk, X, hostMasks(blk, order, c1))).y;
    const r2 = (await gpu.forward(blk, X, hostMasks(blk, order, c2))).y;
    expect(Array.from(y1)).toEqual(Array.from(r1));
    expect(Array.from(y2)).toEqual(Array.from(r2));
    expect(Array.from(y1)).not.toEqual(Array.from(y2)); // the two count sets really differ in effect
    gpu.dispose();
  });
});
