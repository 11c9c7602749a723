import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { crossEntropyStep, NO_TARGET } from '../../src/gpu/kernels/crossEntropy';
import { embeddingGather } from '../../src/gpu/kernels/embedding';
import { lmHeadLogits, lmHeadNll } from '../../src/gpu/kernels/lmHead';
import { destroyVocabTable, uploadVocabTable } from '../../src/gpu/vocabTable';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

/** f64 reference: log-sum-exp of each row and −log softmax at the target (NaN-free, max-shifted). */
function refLse(logits: ArrayLike<number>, T: number, V: number): Float64Array {
  const lse = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, logits[t * V + v]);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(logits[t * V + v] - m);
    lse[t] = m + Math.log(s);
  }
  return lse;
}

function refLogits(x: Float32Array, W: Float32Array, T: number, C: number, V: number): Float64Array {
  const out = new Float64Array(T * V);
  for (let t = 0; t < T; t++)
    for (let v = 0; v < V; v++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += x[t * C + c] * W[v * C + c];
      out[t * V + v] = s;
    }
  return out;
}

describe('LM head + chunked cross entropy vs CPU log-softmax', () => {
  // table chunks of 100 rows (V = 251: 100 + 100 + 51) and logits steps of 37 columns: neither divides V
  for (const [T, C, V, rows, cols] of [
    [19, 24, 251, 100, 37],
    [5, 8, 384, 384, 1000], // one chunk, one step
    [70, 40, 130, 64, 64], // T past a 64 tile, steps aligned with chunks
  ] as const) {
    it(`T=${T} C=${C} V=${V}, table chunks ${rows}, logits steps ${cols}`, async () => {
      const rt = await getRuntime();
      const rng = new Rng(T * 31 + V);
      const x = rng.normalArray(T * C);
      const W = rng.normalArray(V * C, 0.7); // logits ~ N(0, 0.5·C): a wide, peaked softmax
      const tg = Uint32Array.from({ length: T }, () => rng.int(V));
      tg[T - 1] = NO_TARGET;
      const logits = refLogits(x, W, T, C, V);
      const lse = refLse(logits, T, V);
      const nllRef = Array.from(tg, (id, t) => (id === NO_TARGET ? 0 : lse[t] - logits[t * V + id]));

      const table = uploadVocabTable(rt, W, V, C, 'W', rows);
      expect(table.chunks.length).toBe(Math.ceil(V / rows));
      const gx = rt.upload(x, 'x');
      const gt = rt.upload(tg, 'targets');
      const { nll, state } = await rt.validated('lmHeadNll', () => lmHeadNll(rt, gx, table, gt, T, { cols }));
      const got = await rt.read(nll, T * 4);
      const st = await rt.read(state, T * 16);
      const gLogits = lmHeadLogits(rt, gx, table, T);
      const full = await rt.read(gLogits, T * V * 4);
      // f32 logits of size ~ sqrt(C); lse − logit is a difference of such numbers
      const atol = 2e-6 * Math.sqrt(C) * 10;
      const r = expectClose(got, nllRef, { atol, rtol: 1e-5, what: 'nll' });
      expectClose(
        Array.from({ length: T }, (_, t) => st[t * 4 + 3]),
        lse,
        { atol, rtol: 1e-5, what: 'lse' },
      );
      expectClose(full, logits, { atol, rtol: 1e-5, what: 'full logits' });
      expect(got[T - 1]).toBe(0);
      console.log(`T${T} C${C} V${V} rows${rows} cols${cols}: nll max|Δ| ${r.maxAbs.toExponential(1)} rel ${r.maxRel.toExponential(1)}`);
      destroyVocabTable(rt, table);
      rt.destroy(gx, gt, nll, state, gLogits);
    });
  }

  it('online rescaling: the running max moves between chunks and huge logits stay finite', async () => {
    const rt = await getRuntime();
    const [T, V] = [4, 300];
    const rng = new Rng(99);
    const L = rng.normalArray(T * V, 3);
    // row 0: max in the last chunk; row 1: max in the first chunk; row 2: logits around ±500; row 3: all equal
    L[0 * V + 290] = 40;
    L[1 * V + 3] = 40;
    for (let v = 0; v < V; v++) L[2 * V + v] = 500 * Math.sin(v);
    for (let v = 0; v < V; v++) L[3 * V + v] = 7;
    const tg = Uint32Array.from([290, 299, 11, 0]);
    const lse = refLse(L, T, V);
    const nllRef = Array.from(tg, (id, t) => lse[t] - L[t * V + id]);
    const gt = rt.upload(tg, 'targets');
    const state = rt.createBuffer(T * 16, 'state');
    const nll = rt.createBuffer(T * 4, 'nll');
    // vocabulary chunks [0,130), [130,260), [260,300), each as its own [T, n] buffer like lmHeadNll's scratch
    const steps = [
      [0, 130],
      [130, 130],
      [260, 40],
    ];
    const chunks: GPUBuffer[] = [];
    steps.forEach(([v0, n], i) => {
      const chunk = new Float32Array(T * n);
      for (let t = 0; t < T; t++) chunk.set(L.subarray(t * V + v0, t * V + v0 + n), t * n);
      const gc = rt.upload(chunk, `chunk${i}`);
      chunks.push(gc);
      crossEntropyStep(rt, gc, gt, state, nll, { T, n, v0, ldl: n, first: i === 0, last: i === steps.length - 1 });
    });
    const got = await rt.read(nll, T * 4);
    expect(Array.from(got).every(Number.isFinite)).toBe(true);
    expectClose(got, nllRef, { atol: 1e-5, rtol: 1e-5, what: 'rescaled nll' });
    expect(got[3]).toBeCloseTo(Math.log(V), 5);
    rt.destroy(gt, state, nll, ...chunks);
  });

  it('embedding gather across chunks equals table rows', async () => {
    const rt = await getRuntime();
    const [V, C, T] = [57, 10, 23];
    const rng = new Rng(3);
    const E = rng.normalArray(V * C);
    const ids = Uint32Array.from({ length: T }, () => rng.int(V));
    ids[0] = 0;
    ids[1] = V - 1;
    const table = uploadVocabTable(rt, E, V, C, 'E', 20);
    const gi = rt.upload(ids, 'ids');
    const x = embeddingGather(rt, gi, table, T);
    const got = await rt.read(x, T * C * 4);
    const ref = new Float32Array(T * C);
    ids.forEach((id, t) => ref.set(E.subarray(id * C, (id + 1) * C), t * C));
    expect(Array.from(got)).toEqual(Array.from(ref));
    destroyVocabTable(rt, table);
    rt.destroy(gi, x);
  });

  it('rejects undersized buffers, naming them', async () => {
    const rt = await getRuntime();
    const small = rt.createBuffer(8, 'tiny-targets');
    const b = rt.createBuffer(4 * 100, 'b');
    expect(() => crossEntropyStep(rt, b, small, b, b, { T: 5, n: 10, v0: 0, ldl: 10, first: true, last: true })).toThrow(/tiny-targets/);
    rt.destroy(small, b);
  });
});
