import { describe, expect, it } from 'vitest';
import {
  HessianNotPositiveDefiniteError,
  pruneSparseGpt,
  pruneSparseGptAsync,
  pruneSparseGptReference,
} from '../../../src/prune/methods/sparsegpt';
import { HessianStats, WandaStats } from '../../../src/prune/methods/stats';
import { pruneWanda } from '../../../src/prune/methods/wanda';
import { pruneMagnitude } from '../../../src/prune/methods/magnitude';
import { Rng } from '../../../src/core/rng';
import { correlatedInputs, isExactNM, reconstructionError } from './helpers';
import { expectClose } from '../../support/close';

function hessianOf(seqs: Float32Array[], C: number): Float64Array {
  const st = new HessianStats(C);
  for (const x of seqs) st.addBatch(x);
  return st.hessian();
}

describe('SparseGPT fasterprune', () => {
  const rng = new Rng(1234);
  const out = 37;
  const inF = 300; // 128 + 128 + 44: two full blocks and a partial one
  const seqs = correlatedInputs(rng, 8, 64, inF); // 512 tokens > in: full-rank H
  const H = hessianOf(seqs, inF);
  const w = rng.normalArray(out * inF, 0.05);
  const layer = { w, out, in: inF };

  it('lazy batched updates (blocksize 128) equal the eager per-column reference', () => {
    for (const opts of [{ sparsity: 0.5 }, { sparsity: 0.7 }, { nm: '2:4' }]) {
      const lazy = pruneSparseGpt(layer, H, opts);
      const ref = pruneSparseGptReference(layer, H, opts);
      expect(Array.from(lazy.mask)).toEqual(Array.from(ref.mask));
      expectClose(lazy.weights, ref.weights, { atol: 1e-6, rtol: 1e-5 });
      expect(Math.abs(lazy.totalLoss - ref.totalLoss)).toBeLessThanOrEqual(1e-9 * ref.totalLoss);
      for (let i = 0; i < w.length; i++) if (lazy.mask[i]) expect(lazy.weights[i]).toBe(0);
    }
  });

  it('unstructured: each 128-column block prunes floor(rows·count·s) + 1 entries (the reference `<=`)', () => {
    const r = pruneSparseGpt(layer, H, { sparsity: 0.5 });
    const perBlock = (c0: number, c1: number) => {
      let n = 0;
      for (let row = 0; row < out; row++) for (let c = c0; c < c1; c++) n += r.mask[row * inF + c];
      return n;
    };
    expect(perBlock(0, 128)).toBe(Math.floor(out * 128 * 0.5) + 1);
    expect(perBlock(128, 256)).toBe(Math.floor(out * 128 * 0.5) + 1);
    expect(perBlock(256, 300)).toBe(Math.floor(out * 44 * 0.5) + 1);
    expect(r.retries).toBe(0);
    expect(r.dampingUsed).toBe(0.01);
  });

  it('N:M 2:4 and 4:8: exactly N zeros in every group of M per row', () => {
    expect(isExactNM(pruneSparseGpt(layer, H, { nm: '2:4' }).mask, out, inF, 2, 4)).toBe(true);
    const in8 = 304;
    const s8 = correlatedInputs(rng, 6, 64, in8);
    const r = pruneSparseGpt({ w: rng.normalArray(out * in8), out, in: in8 }, hessianOf(s8, in8), { nm: '4:8', sparsity: 0.5 });
    expect(isExactNM(r.mask, out, in8, 4, 8)).toBe(true);
  });

  it('per-row Losses equal the OBS quadratic ½ δ (H + λI) δᵀ of the final weights', () => {
    const r = pruneSparseGpt(layer, H, { sparsity: 0.5 });
    for (const row of [0, 17, 36]) {
      const d = new Float64Array(inF);
      for (let j = 0; j < inF; j++) d[j] = w[row * inF + j] - r.weights[row * inF + j];
      let q = 0;
      for (let i = 0; i < inF; i++) {
        let acc = r.dampingAbs * d[i];
        for (let j = 0; j < inF; j++) acc += H[i * inF + j] * d[j];
        q += d[i] * acc;
      }
      // f32 rounding of the returned weights limits agreement to ~1e-5 relative
      expect(Math.abs(q / 2 - r.losses[row])).toBeLessThanOrEqual(1e-4 * r.losses[row]);
    }
  });

  it('reconstructs ‖XWᵀ − XŴᵀ‖ better than Wanda and magnitude on correlated inputs', () => {
    const ws = new WandaStats(inF);
    for (const x of seqs) ws.addBatch(x);
    const y2 = reconstructionError(seqs, w, new Float32Array(w.length), out, inF); // ‖XWᵀ‖²
    const rows: string[] = [];
    for (const opts of [{ sparsity: 0.5 }, { nm: '2:4' }]) {
      const sg = pruneSparseGpt(layer, H, opts);
      const wa = pruneWanda(layer, ws.scalerRow, opts);
      const mg = pruneMagnitude(layer, opts);
      const eS = reconstructionError(seqs, w, sg.weights, out, inF) / y2;
      const eW = reconstructionError(seqs, w, wa.weights, out, inF) / y2;
      const eM = reconstructionError(seqs, w, mg.weights, out, inF) / y2;
      rows.push(
        `${JSON.stringify(opts)} relative ‖ΔY‖²: sparsegpt ${eS.toExponential(3)}, wanda ${eW.toExponential(3)}, magnitude ${eM.toExponential(3)}`,
      );
      expect(eS).toBeLessThan(0.5 * eW);
      expect(eW).toBeLessThan(eM);
    }
    console.log(rows.join('\n'));
  });

  it('dead input columns (diag H = 0) are zeroed, reported, and do not break the factorisation', () => {
    const dead = [5, 131];
    const sd = seqs.map((x) => {
      const y = Float32Array.from(x);
      for (let t = 0; t < y.length / inF; t++) for (const c of dead) y[t * inF + c] = 0;
      return y;
    });
    const r = pruneSparseGpt(layer, hessianOf(sd, inF), { sparsity: 0.5 });
    expect(r.deadColumns).toEqual(dead);
    expect(r.retries).toBe(0);
    for (let row = 0; row < out; row++) for (const c of dead) expect(r.weights[row * inF + c]).toBe(0);
    expect(r.weights.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(r.totalLoss)).toBe(true);
    // without damping, only the H[d,d] = 1 fix keeps H positive definite: no retry may be needed
    const r0 = pruneSparseGpt(layer, hessianOf(sd, inF), { sparsity: 0.5, percdamp: 0 });
    expect(r0.retries).toBe(0);
    expect(r0.dampingAbs).toBe(0);
  });

  it('rank-deficient H with percdamp 0 retries with damping 0.01 and reports it; no retries left → named error', () => {
    const few = correlatedInputs(new Rng(9), 2, 40, inF); // 80 tokens < 300 features: singular H
    const Hs = hessianOf(few, inF);
    const r = pruneSparseGpt(layer, Hs, { sparsity: 0.5, percdamp: 0 });
    expect(r.retries).toBe(1);
    expect(r.dampingUsed).toBe(0.01);
    const direct = pruneSparseGpt(layer, Hs, { sparsity: 0.5, percdamp: 0.01 });
    expect(Array.from(r.weights)).toEqual(Array.from(direct.weights));
    expect(() => pruneSparseGpt(layer, Hs, { sparsity: 0.5, percdamp: 0, maxRetries: 0 })).toThrow(HessianNotPositiveDefiniteError);
    expect(() => pruneSparseGpt(layer, Hs, { sparsity: 0.5, percdamp: 0, maxRetries: 0 })).toThrow(
      /more calibration samples.*higher percdamp/,
    );
  });

  it('a pluggable (async, f32) matmul for the lazy update gives the same result to f32 tolerance', async () => {
    let calls = 0;
    const f32mm = async (a: Float64Array, b: Float64Array, m: number, k: number, n: number) => {
      calls++;
      const c = new Float32Array(m * n);
      const af = Float32Array.from(a);
      const bf = Float32Array.from(b);
      for (let i = 0; i < m; i++)
        for (let p = 0; p < k; p++)
          for (let j = 0; j < n; j++) c[i * n + j] = Math.fround(c[i * n + j] + Math.fround(af[i * k + p] * bf[p * n + j]));
      return c;
    };
    const a = await pruneSparseGptAsync(layer, H, { nm: '2:4', matmul: f32mm });
    const s = pruneSparseGpt(layer, H, { nm: '2:4' });
    expect(calls).toBe(2); // blocks 1 and 2 have later columns; the last block does not
    expect(Array.from(a.mask)).toEqual(Array.from(s.mask));
    expectClose(a.weights, s.weights, { atol: 1e-5, rtol: 1e-4 });
  });
});
