// lazyHardMasks (src/prune/executor.ts): BESA's step masks as counts + order behave as an ordinary MaskSet
// (docs/besa.md §1.5): every linear present and enumerable, each array equal to hardMask(n_g, sortIdx) for
// row-wise, grouped and layer-wise counts (sizes not multiples of anything), built once and cached.
import { describe, expect, it } from 'vitest';
import { hardMask } from '../../../src/core/besa/masks';
import { Rng } from '../../../src/core/rng';
import { linearOf, LINEAR_NAMES, type BlockWeights } from '../../../src/model/spec';
import { lazyHardMasks, type BesaCounts, type BesaOrder } from '../../../src/prune/executor';

const SHAPES = { q: [12, 10], k: [6, 10], v: [6, 10], o: [12, 10], gate: [21, 10], up: [21, 10], down: [12, 21] } as const;

describe('lazyHardMasks', () => {
  for (const rowsPerGroup of [1, 3, 0 /* layer-wise */]) {
    it(`equals hardMask per linear (${rowsPerGroup === 0 ? 'layer-wise' : `${rowsPerGroup} rows per logit row`}) and caches the arrays`, () => {
      const rng = new Rng(40 + rowsPerGroup);
      const block = {} as BlockWeights;
      const order = {} as BesaOrder;
      const counts = {} as BesaCounts;
      for (const n of LINEAR_NAMES) {
        const [rows, cols] = SHAPES[n];
        block[n] = { w: new Float32Array(rows * cols), out: rows, in: cols };
        const sortIdx = new Int32Array(rows * cols);
        for (let r = 0; r < rows; r++) {
          const perm = Array.from({ length: cols }, (_, j) => j).sort(() => rng.next() - 0.5);
          sortIdx.set(perm, r * cols);
        }
        order[n] = { sortIdx, kd: new Int32Array([cols, 0]) };
        counts[n] = Int32Array.from({ length: rows / (rowsPerGroup || rows) }, () => rng.int(cols + 1));
      }
      const set = lazyHardMasks(block, order, counts);
      expect(Object.keys(set)).toEqual([...LINEAR_NAMES]);
      for (const n of LINEAR_NAMES) {
        const ref = hardMask(counts[n], order[n].sortIdx, linearOf(block, n).out, linearOf(block, n).in);
        expect(Array.from(set[n]!), n).toEqual(Array.from(ref));
        expect(set[n]).toBe(set[n]); // built once
      }
    });
  }
});
