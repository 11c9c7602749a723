import { describe, expect, it } from 'vitest';
import { HessianStats, WandaStats } from '../../../src/prune/methods/stats';
import { PruneInputError } from '../../../src/prune/methods/magnitude';
import { Rng } from '../../../src/core/rng';
import { expectClose } from '../../support/close';

// odd and even widths: the Hessian kernel works on 2×2 tiles of (i, j)
describe.each([37, 36])('calibration statistics, in = %i', (C) => {
  const rng = new Rng(3 + C);
  const T = 23;
  // 5 sequences fed as batches of 1, 2, 1, 1 sequences (the running rescale must not depend on it)
  const seqs = Array.from({ length: 5 }, () => rng.normalArray(T * C, 1.3));
  const feed = (add: (x: Float32Array, n: number) => void) => {
    add(seqs[0], 1);
    const two = new Float32Array(2 * T * C);
    two.set(seqs[1]);
    two.set(seqs[2], T * C);
    add(two, 2);
    add(seqs[3], 1);
    add(seqs[4], 1);
  };

  it('WandaStats.scalerRow = (1/N_seq) Σ_tokens x_j² (WrappedGPT.add_batch)', () => {
    const st = new WandaStats(C);
    feed((x, n) => st.addBatch(x, n));
    expect(st.nsamples).toBe(5);
    const ref = new Float64Array(C);
    for (const x of seqs) for (let t = 0; t < T; t++) for (let j = 0; j < C; j++) ref[j] += x[t * C + j] ** 2 / 5;
    expectClose(st.scalerRow, ref, { atol: 0, rtol: 1e-12 });
    const norms = st.columnNorms();
    expectClose(norms, Array.from(ref, Math.sqrt), { atol: 0, rtol: 1e-12 });
  });

  it('HessianStats.hessian() = (2/N_seq) Σ XᵀX, symmetric', () => {
    const st = new HessianStats(C);
    feed((x, n) => st.addBatch(x, n));
    const H = st.hessian();
    const ref = new Float64Array(C * C);
    for (const x of seqs) {
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) ref[i * C + j] += (2 / 5) * x[t * C + i] * x[t * C + j];
      }
    }
    expectClose(H, ref, { atol: 1e-12, rtol: 1e-12 });
    for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) expect(H[i * C + j]).toBe(H[j * C + i]);
  });

  it('rejects inputs that are not [tokens, in]', () => {
    expect(() => new WandaStats(C).addBatch(new Float32Array(C * 2 + 1))).toThrow(PruneInputError);
    expect(() => new HessianStats(C).addBatch(new Float32Array(C), 0)).toThrow(PruneInputError);
  });
});
