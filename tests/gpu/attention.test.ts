import { describe, expect, it } from 'vitest';
import { attentionBackward, attentionForward } from '../../src/core/ops/attention';
import { Rng } from '../../src/core/rng';
import { attentionBackwardGpu, attentionForwardGpu } from '../../src/gpu/kernels/attention';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

// (T, H, KVH, D): single token, MQA with odd sizes, GQA, plain MHA past two 64-tiles.
const CASES: [number, number, number, number][] = [
  [1, 2, 1, 8],
  [7, 3, 1, 6],
  [33, 4, 2, 32],
  [130, 4, 4, 64],
  [20, 6, 3, 8], // KVH = 3 > G = 2: the dispatches loop over g and batch over kv heads
  [512, 2, 1, 16], // the longest sequence we promise (T >= 512)
];

describe('causal GQA attention on the GPU vs src/core/ops/attention.ts', () => {
  for (const [T, H, KVH, D] of CASES) {
    it(`T=${T} H=${H} KVH=${KVH} D=${D}: forward and backward`, async () => {
      const rt = await getRuntime();
      const rng = new Rng(T * 1009 + H * 101 + KVH * 11 + D);
      // scores of O(1..3) so the softmax is neither uniform nor one-hot
      const q = rng.normalArray(T * H * D, 1.5);
      const k = rng.normalArray(T * KVH * D, 1.5);
      const v = rng.normalArray(T * KVH * D);
      const dout = rng.normalArray(T * H * D);
      const ref = attentionForward(q, k, v, T, H, KVH, D);
      const gref = attentionBackward(q, k, v, ref.probs, dout, T, H, KVH, D);

      const [gq, gk, gv, gdo] = [rt.upload(q, 'q'), rt.upload(k, 'k'), rt.upload(v, 'v'), rt.upload(dout, 'dout')];
      const dims = { T, H, KVH, D };
      const got = await rt.validated('attention', async () => {
        const f = attentionForwardGpu(rt, gq, gk, gv, dims);
        const b = attentionBackwardGpu(rt, gq, gk, gv, f.probs, gdo, dims);
        const r = {
          out: await rt.read(f.out, T * H * D * 4),
          probs: await rt.read(f.probs, H * T * T * 4),
          dq: await rt.read(b.dq, T * H * D * 4),
          dk: await rt.read(b.dk, T * KVH * D * 4),
          dv: await rt.read(b.dv, T * KVH * D * 4),
        };
        rt.destroy(f.out, f.probs, b.dq, b.dk, b.dv);
        return r;
      });
      rt.destroy(gq, gk, gv, gdo);
      // f32 GPU vs f64-accumulated reference; sums run over ≤ max(T, D)·G terms of size O(1).
      const tol = 3e-6 * Math.sqrt(Math.max(T, D) * (H / KVH));
      const tag = `T${T} H${H} KVH${KVH} D${D}`;
      expectClose(got.probs, ref.probs, { atol: 1e-6, rtol: 1e-4, what: `${tag} probs` });
      // causal: exactly zero above the diagonal; rows sum to 1
      let future = 0;
      let worstRowSum = 0;
      for (let h = 0; h < H; h++)
        for (let t = 0; t < T; t++) {
          let s = 0;
          for (let c = 0; c < T; c++) {
            const p = got.probs[(h * T + t) * T + c];
            if (c > t && p !== 0) future++;
            s += p;
          }
          worstRowSum = Math.max(worstRowSum, Math.abs(s - 1));
        }
      expect(future).toBe(0);
      expect(worstRowSum).toBeLessThan(1e-5);
      const rOut = expectClose(got.out, ref.out, { atol: tol, rtol: 1e-4, what: `${tag} out` });
      const rdq = expectClose(got.dq, gref.dq, { atol: tol, rtol: 1e-4, what: `${tag} dq` });
      const rdk = expectClose(got.dk, gref.dk, { atol: tol, rtol: 1e-4, what: `${tag} dk` });
      const rdv = expectClose(got.dv, gref.dv, { atol: tol, rtol: 1e-4, what: `${tag} dv` });
      console.log(
        `${tag}: max|Δ| out ${rOut.maxAbs.toExponential(1)} dq ${rdq.maxAbs.toExponential(1)} dk ${rdk.maxAbs.toExponential(1)} dv ${rdv.maxAbs.toExponential(1)} (atol ${tol.toExponential(1)})`,
      );
    });
  }

  it('is stable for huge scores (no inf/NaN) and masks the future', async () => {
    const rt = await getRuntime();
    const [T, H, KVH, D] = [5, 2, 1, 4];
    const rng = new Rng(7);
    const q = rng.normalArray(T * H * D, 300); // scores ~1e5: exp would overflow without the max shift
    const k = rng.normalArray(T * KVH * D, 300);
    const v = rng.normalArray(T * KVH * D);
    const ref = attentionForward(q, k, v, T, H, KVH, D);
    const [gq, gk, gv] = [rt.upload(q, 'q'), rt.upload(k, 'k'), rt.upload(v, 'v')];
    const f = attentionForwardGpu(rt, gq, gk, gv, { T, H, KVH, D });
    const probs = await rt.read(f.probs, H * T * T * 4);
    expect(probs.every(Number.isFinite)).toBe(true);
    expectClose(probs, ref.probs, { atol: 1e-4, rtol: 1e-3, what: 'huge scores probs' });
    rt.destroy(gq, gk, gv, f.out, f.probs);
  });

  // KV-cache decoding: T query rows at positions offset..offset+T−1 against Tk = offset+T cached keys
  // ((T, offset, H, KVH, D); k/v buffers hold `spare` extra rows of garbage, as a cache larger than Tk
  // does). Reference: rows offset.. of the full causal attention over Tk rows (earlier q rows random).
  const OFFSET_CASES: [number, number, number, number, number, number][] = [
    [1, 0, 2, 1, 8, 5], // a 1-token prompt
    [1, 36, 6, 3, 8, 11], // one decode step, GQA G = 2, KVH = 3
    [1, 129, 4, 1, 18, 0], // past two 64-tiles of keys, MQA, no spare rows
    [5, 17, 3, 3, 6, 2], // several rows at an offset (MHA)
  ];
  for (const [T, offset, H, KVH, D, spare] of OFFSET_CASES) {
    it(`offset attention T=${T} offset=${offset} H=${H} KVH=${KVH} D=${D}`, async () => {
      const rt = await getRuntime();
      const rng = new Rng(T * 313 + offset * 29 + H * 7 + KVH + D);
      const Tk = offset + T;
      const QD = H * D,
        KVD = KVH * D;
      const qFull = rng.normalArray(Tk * QD, 1.5);
      const k = rng.normalArray((Tk + spare) * KVD, 1.5);
      const v = rng.normalArray((Tk + spare) * KVD);
      for (let i = Tk * KVD; i < k.length; i++) k[i] = v[i] = 1e4; // garbage past Tk must not be read
      const ref = attentionForward(qFull, k.subarray(0, Tk * KVD), v.subarray(0, Tk * KVD), Tk, H, KVH, D);
      const refOut = ref.out.subarray(offset * QD);
      const refProbs = new Float32Array(H * T * Tk);
      for (let h = 0; h < H; h++)
        for (let t = 0; t < T; t++)
          refProbs.set(ref.probs.subarray((h * Tk + offset + t) * Tk, (h * Tk + offset + t + 1) * Tk), (h * T + t) * Tk);
      const [gq, gk, gv] = [rt.upload(qFull.slice(offset * QD), 'q'), rt.upload(k, 'kcache'), rt.upload(v, 'vcache')];
      const got = await rt.validated('offset attention', async () => {
        const f = attentionForwardGpu(rt, gq, gk, gv, { T, H, KVH, D, offset });
        const r = { out: await rt.read(f.out, T * QD * 4), probs: await rt.read(f.probs, H * T * Tk * 4) };
        rt.destroy(f.out, f.probs);
        return r;
      });
      rt.destroy(gq, gk, gv);
      const tol = 3e-6 * Math.sqrt(Math.max(Tk, D));
      const tag = `T${T} off${offset} H${H} KVH${KVH} D${D}`;
      expectClose(got.probs, refProbs, { atol: 1e-6, rtol: 1e-4, what: `${tag} probs` });
      const r = expectClose(got.out, refOut, { atol: tol, rtol: 1e-4, what: `${tag} out` });
      console.log(`${tag}: max|Δ| out ${r.maxAbs.toExponential(1)}`);
    });
  }

  it('rejects the backward with an offset, and a cache too short for offset + T', async () => {
    const rt = await getRuntime();
    const q = rt.createBuffer(4 * 2 * 8, 'q');
    const short = rt.createBuffer(4 * 3 * 8, 'short-cache'); // 3 rows, 4 needed
    expect(() => attentionForwardGpu(rt, q, short, short, { T: 1, H: 2, KVH: 1, D: 8, offset: 3 })).toThrow(/short-cache/);
    expect(() => attentionBackwardGpu(rt, q, q, q, q, q, { T: 1, H: 2, KVH: 1, D: 8, offset: 3 })).toThrow(/forward-only/);
    rt.destroy(q, short);
  });

  it('rejects bad shapes, naming the tensor', async () => {
    const rt = await getRuntime();
    const small = rt.createBuffer(4 * 10, 'tiny-k');
    const q = rt.createBuffer(4 * 4 * 2 * 8, 'q');
    expect(() => attentionForwardGpu(rt, q, small, q, { T: 4, H: 2, KVH: 1, D: 8 })).toThrow(/tiny-k/);
    expect(() => attentionForwardGpu(rt, q, q, q, { T: 4, H: 3, KVH: 2, D: 8 })).toThrow(/multiple of nKvHeads/);
    rt.destroy(small, q);
  });
});
