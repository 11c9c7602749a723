// dL/dθ by the prefix-sum form of docs/besa.md §1.5 (thetaGrad) against the explicit chain rule: P is rebuilt
// from θ with the reference's prob_map matrix in f64 and differentiated by central differences.
// Also the sparsity penalty chain, and the STE gradient through a whole block (docs/besa.md §7.4).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { candidates, pruneCountsPerCandidate } from '../../../src/core/besa/candidates';
import { argsortRows, type SortOrder } from '../../../src/core/besa/importance';
import { penaltyGradPerRow, thetaGrad } from '../../../src/core/besa/grad';
import { hardMask, hardPruneCounts } from '../../../src/core/besa/masks';
import { blockSparsity, sparsityPenalty } from '../../../src/core/besa/sparsity';
import { blockBackwardRef, blockForwardRef } from '../../../src/core/ops/block';
import { reconLoss } from '../../../src/core/ops/reconLoss';
import { LINEAR_NAMES, linearShapes, type LinearName } from '../../../src/model/spec';
import { dot, fdGrad, randn64 } from './helpers';
import { randomBlock, tinyBlockSpec } from '../../support/specs';
import { expectClose } from '../../support/close';

const cand = candidates();
const D = cand.length;

/** Explicit f64 θ → p → s (no shared code with src/core/besa/sparsity). */
function pOf(theta: Float64Array, G: number, sig: boolean): Float64Array {
  const p = new Float64Array(G * D);
  for (let g = 0; g < G; g++) {
    const z = Array.from(theta.subarray(g * D, (g + 1) * D), (t) => (sig ? 1 / (1 + Math.exp(-t)) : t));
    const mx = Math.max(...z);
    const e = z.map((v) => Math.exp(v - mx));
    const sum = e.reduce((a, b) => a + b, 0);
    for (let d = 0; d < D; d++) p[g * D + d] = e[d] / sum;
  }
  return p;
}
function sOf(p: Float64Array, G: number): Float64Array {
  const s = new Float64Array(G);
  for (let g = 0; g < G; g++) for (let d = 0; d < D; d++) s[g] += p[g * D + d] * cand[d];
  return s;
}
/** P[rows,cols] = scatter(1 − p @ prob_map) with prob_map[d, :int(cols·cand_d)] = 1 (get_prob_mask). */
function POf(p: Float64Array, sortIdx: ArrayLike<number>, rows: number, cols: number, G: number): Float64Array {
  const P = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const g = Math.floor(r / (rows / G));
    for (let j = 0; j < cols; j++) {
      let acc = 0;
      for (let d = 0; d < D; d++) if (j < Math.trunc(cols * cand[d])) acc += p[g * D + d];
      P[r * cols + sortIdx[r * cols + j]] = 1 - acc;
    }
  }
  return P;
}

describe('thetaGrad (prefix-sum form) = explicit chain rule through P', () => {
  const rows = 6,
    cols = 29;
  for (const [name, G] of [
    ['row-wise', 6],
    ['layer-wise', 1],
    ['blocksize 3', 2],
  ] as const) {
    for (const sig of [true, false]) {
      it(`${name}, sigmoid=${sig}, with a penalty term dL/ds`, () => {
        const rng = new Rng(G * 10 + (sig ? 1 : 0));
        const sortIdx = argsortRows(rng.uniformArray(rows * cols, 0, 1), rows, cols);
        const GM = randn64(rng, rows * cols);
        const theta = randn64(rng, G * D, 2);
        const dLds = 0.37;
        const L = () => {
          const p = pOf(theta, G, sig);
          return dot(POf(p, sortIdx, rows, cols, G), GM) + dLds * sOf(p, G).reduce((a, b) => a + b, 0);
        };
        const got = thetaGrad(GM, sortIdx, theta, pOf(theta, G, sig), pruneCountsPerCandidate(cols, cand), cand, rows, cols, G, sig, dLds);
        expect(got).toBeInstanceOf(Float64Array);
        expectClose(got, fdGrad(L, theta), { atol: 1e-7, rtol: 1e-6, what: 'dθ' }); // FD rounding noise ~5e-8 (L sums ~200 terms)
      });
    }
  }
});

describe('sparsity penalty through two linears', () => {
  it('β((s_block − α̂)/α̂)² gradient via penaltyGradPerRow matches finite differences', () => {
    const rng = new Rng(77);
    const lin = [
      { rows: 4, cols: 7, G: 4 },
      { rows: 3, cols: 11, G: 1 },
    ];
    const thetas = lin.map((l) => randn64(rng, l.G * D, 1.5));
    const numel = lin.map((l) => l.rows * l.cols);
    const total = numel[0] + numel[1];
    const sBlock = () =>
      blockSparsity(
        lin.map((l, i) => ({ numel: numel[i], sparsity: sOf(pOf(thetas[i], l.G, true), l.G).reduce((a, b) => a + b, 0) / l.G })),
      );
    const pen = () => sparsityPenalty(sBlock(), 0.5, 5).penalty;
    const { dS } = sparsityPenalty(sBlock(), 0.5, 5);
    lin.forEach((l, i) => {
      const sortIdx = argsortRows(rng.uniformArray(l.rows * l.cols, 0, 1), l.rows, l.cols);
      const got = thetaGrad(
        new Float64Array(l.rows * l.cols),
        sortIdx,
        thetas[i],
        pOf(thetas[i], l.G, true),
        pruneCountsPerCandidate(l.cols, cand),
        cand,
        l.rows,
        l.cols,
        l.G,
        true,
        penaltyGradPerRow(dS, numel[i], total, l.G),
      );
      expectClose(got, fdGrad(pen, thetas[i]), { atol: 1e-10, rtol: 1e-6, what: `penalty dθ[${i}]` });
    });
  });
});

describe('STE gradient through a block (spec §7.4)', () => {
  it('dMask from blockBackwardRef at M = M_hard, fed to thetaGrad, equals FD of the block loss with M = M_hard − P(θ₀) + P(θ)', () => {
    const spec = tinyBlockSpec({ nHeads: 4, nKvHeads: 2, headDim: 4 });
    const rng = new Rng(2024);
    const T = 5;
    const w = randomBlock(spec, rng);
    const shapes = linearShapes(spec);
    const x = randn64(rng, T * spec.dim);
    const yRef = blockForwardRef(spec, w, null, x, T).y; // dense target on the same input (row-wise default)
    const st = {} as Record<
      LinearName,
      { rows: number; cols: number; G: number; sortIdx: SortOrder; theta: Float64Array; hard: Float64Array; P0: Float64Array }
    >;
    for (const n of LINEAR_NAMES) {
      const [rows, cols] = shapes[n];
      const G = n === 'down' ? 1 : rows; // mix row-wise and layer-wise
      const sortIdx = argsortRows(rng.uniformArray(rows * cols, 0, 1), rows, cols);
      const theta = randn64(rng, G * D, 1);
      const p = pOf(theta, G, true);
      const hard = Float64Array.from(hardMask(hardPruneCounts(sOf(p, G), cols), sortIdx, rows, cols));
      st[n] = { rows, cols, G, sortIdx, theta, hard, P0: POf(p, sortIdx, rows, cols, G) };
    }
    const steMasks = () => {
      const m: Partial<Record<LinearName, Float64Array>> = {};
      for (const n of LINEAR_NAMES) {
        const s = st[n];
        const P = POf(pOf(s.theta, s.G, true), s.sortIdx, s.rows, s.cols, s.G);
        m[n] = s.hard.map((h, i) => h - s.P0[i] + P[i]);
      }
      return m;
    };
    const loss = () => reconLoss(blockForwardRef(spec, w, steMasks(), x, T).y, yRef, T, spec.dim).loss;
    const hardMasks: Partial<Record<LinearName, Float64Array>> = {};
    for (const n of LINEAR_NAMES) hardMasks[n] = st[n].hard;
    const fwd = blockForwardRef(spec, w, hardMasks, x, T);
    const { dy } = reconLoss(fwd.y, yRef, T, spec.dim);
    const { dMask } = blockBackwardRef(spec, w, hardMasks, fwd.saved, dy);
    for (const n of LINEAR_NAMES) {
      const s = st[n];
      const got = thetaGrad(
        dMask[n],
        s.sortIdx,
        s.theta,
        pOf(s.theta, s.G, true),
        pruneCountsPerCandidate(s.cols, cand),
        cand,
        s.rows,
        s.cols,
        s.G,
        true,
      );
      const idx = Array.from({ length: 12 }, () => rng.int(s.G * D));
      expectClose(got, fdGrad(loss, s.theta, 1e-5, idx), { atol: 1e-9, rtol: 1e-5, what: `STE dθ.${n}`, indices: idx });
    }
  });
});
