import { describe, expect, it } from 'vitest';
import { linearBackward, linearForward } from '../../src/core/ops/linear';
import { Rng } from '../../src/core/rng';
import { add, addInPlace } from '../../src/gpu/kernels/add';
import { biasAdd } from '../../src/gpu/kernels/biasAdd';
import { maskApply } from '../../src/gpu/kernels/maskApply';
import { maskedLinearBackward, maskedLinearForward } from '../../src/gpu/kernels/maskedLinear';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

// [T, In, Out]: T = 1, 7, 130; widths 12, 100, 257 (none a multiple of the 64×64×16 matmul tile).
const SHAPES: [number, number, number][] = [
  [1, 12, 100],
  [7, 100, 12],
  [130, 257, 100],
  [7, 257, 257],
];

/** A 0/1 mask with about half of the entries kept (BESA's hard mask, docs/besa.md §1.5). */
function hardMask(rng: Rng, n: number): Float32Array {
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) m[i] = rng.next() < 0.5 ? 0 : 1;
  return m;
}

describe('masked linear on the GPU vs src/core/ops/linear.ts', () => {
  for (const [T, In, Out] of SHAPES) {
    for (const masked of [true, false]) {
      it(`${masked ? 'masked' : 'dense'} T=${T} In=${In} Out=${Out} forward, dX, dMask`, async () => {
        const rt = await getRuntime();
        const rng = new Rng(T * 1009 + In * 13 + Out + (masked ? 7 : 0));
        const x = rng.normalArray(T * In);
        const w = rng.normalArray(Out * In, 1 / Math.sqrt(In));
        const b = rng.normalArray(Out, 0.1);
        const mask = masked ? hardMask(rng, Out * In) : undefined;
        const dy = rng.normalArray(T * Out);
        const refY = linearForward(x, w, T, In, Out, b, mask);
        const refB = linearBackward(x, w, dy, T, In, Out, mask);

        const g = {
          x: rt.upload(x, 'x'),
          w: rt.upload(w, 'w'),
          b: rt.upload(b, 'b'),
          mask: mask ? rt.upload(mask, 'mask') : null,
          weff: rt.createBuffer(Out * In * 4, 'weff'),
          y: rt.createBuffer(T * Out * 4, 'y'),
          dy: rt.upload(dy, 'dy'),
          dx: rt.createBuffer(T * In * 4, 'dx'),
          dMask: rt.createBuffer(Out * In * 4, 'dMask'),
          scratch: rt.createBuffer(Out * In * 4, 'gradScratch'),
        };
        const s = { T, In, Out };
        const [y, dx, dMask] = await rt.validated('maskedLinear', async () => {
          const weff = maskedLinearForward(rt, { x: g.x, w: g.w, mask: g.mask, bias: g.b, weff: g.weff, y: g.y }, s);
          maskedLinearBackward(rt, { x: g.x, w: g.w, weff, dy: g.dy, dx: g.dx, dMask: g.dMask, gradScratch: g.scratch }, s);
          return [await rt.read(g.y, T * Out * 4), await rt.read(g.dx, T * In * 4), await rt.read(g.dMask, Out * In * 4)];
        });
        // f32 dot products of length K ≤ 257 with O(1) terms: atol scales with √K (cancellation).
        expectClose(y, refY, { atol: 2e-6 * Math.sqrt(In), rtol: 1e-5, what: `y ${T}x${In}x${Out} ${masked}` });
        expectClose(dx, refB.dx, { atol: 2e-6 * Math.sqrt(Out), rtol: 1e-5, what: `dx ${T}x${In}x${Out} ${masked}` });
        expectClose(dMask, refB.dMask, { atol: 2e-6 * Math.sqrt(T), rtol: 1e-5, what: `dMask ${T}x${In}x${Out} ${masked}` });
        rt.destroy(...Object.values(g));
      });
    }
  }

  it('accumulates dX (beta = 1) and dMask over two sequences', async () => {
    const rt = await getRuntime();
    const [T, In, Out] = [7, 100, 12];
    const rng = new Rng(31337);
    const w = rng.normalArray(Out * In, 0.1);
    const mask = hardMask(rng, Out * In);
    const seqs = [0, 1].map(() => ({ x: rng.normalArray(T * In), dy: rng.normalArray(T * Out) }));
    const r = seqs.map((q) => linearBackward(q.x, w, q.dy, T, In, Out, mask));
    const dx0 = rng.normalArray(T * In); // dx starts with another layer's contribution
    const dm0 = rng.normalArray(Out * In);
    const wantDx = dx0.map((v, i) => v + r[0].dx[i]);
    const wantDm = dm0.map((v, i) => v + r[0].dMask[i] + r[1].dMask[i]);
    const gw = rt.upload(w, 'w');
    const gm = rt.upload(mask, 'mask');
    const weff = rt.createBuffer(Out * In * 4, 'weff');
    const dx = rt.upload(dx0, 'dx');
    const dMask = rt.upload(dm0, 'dMask');
    const scratch = rt.createBuffer(Out * In * 4, 'scratch');
    maskApply(rt, gw, gm, weff, Out * In);
    const bufs = seqs.map((q) => ({ x: rt.upload(q.x, 'x'), dy: rt.upload(q.dy, 'dy') }));
    maskedLinearBackward(
      rt,
      { ...bufs[0], w: gw, weff, dx, dMask, gradScratch: scratch },
      { T, In, Out },
      { accumulateDx: true, accumulateDMask: true },
    );
    maskedLinearBackward(rt, { ...bufs[1], w: gw, weff, dx: null, dMask, gradScratch: scratch }, { T, In, Out }, { accumulateDMask: true });
    expectClose(await rt.read(dx, T * In * 4), wantDx, { atol: 2e-5, rtol: 1e-5, what: 'dx accumulated' });
    expectClose(await rt.read(dMask, Out * In * 4), wantDm, { atol: 1e-5, rtol: 1e-5, what: 'dMask accumulated' });
    rt.destroy(gw, gm, weff, dx, dMask, scratch, ...bufs.flatMap((q) => [q.x, q.dy]));
  });

  it('rejects a mask without a weff scratch and a short weight, naming it', async () => {
    const rt = await getRuntime();
    const x = rt.createBuffer(4 * 7 * 12, 'x');
    const w = rt.createBuffer(4 * 12 * 10, 'short-w');
    const y = rt.createBuffer(4 * 7 * 12, 'y');
    expect(() => maskedLinearForward(rt, { x, w, mask: null, bias: null, weff: null, y }, { T: 7, In: 12, Out: 12 })).toThrow(
      /w \("short-w"\)/,
    );
    expect(() => maskedLinearForward(rt, { x, w, mask: x, bias: null, weff: null, y }, { T: 7, In: 12, Out: 10 })).toThrow(/weff scratch/);
    rt.destroy(x, w, y);
  });
});

describe('elementwise kernels vs plain loops', () => {
  for (const n of [1, 7, 130 * 257]) {
    it(`add, addInPlace, biasAdd, maskApply(+acc) n=${n}`, async () => {
      const rt = await getRuntime();
      const rng = new Rng(n + 4242);
      const a = rng.normalArray(n);
      const b = rng.normalArray(n);
      const Out = n === 1 ? 1 : n === 7 ? 7 : 257;
      const T = n / Out;
      const bias = rng.normalArray(Out);
      const ga = rt.upload(a, 'a');
      const gb = rt.upload(b, 'b');
      const gy = rt.createBuffer(n * 4, 'y');
      const gbias = rt.upload(bias, 'bias');
      const gm = rt.createBuffer(n * 4, 'm');
      add(rt, ga, gb, gy, n); // y = a + b
      addInPlace(rt, gy, ga, n); // y = 2a + b
      biasAdd(rt, gy, gbias, T, Out); // y = 2a + b + bias[i % Out]
      maskApply(rt, ga, gb, gm, n); // m = a⊙b
      maskApply(rt, ga, gb, gm, n, true); // m = 2 a⊙b
      const y = await rt.read(gy, n * 4);
      const m = await rt.read(gm, n * 4);
      // Each output is 2–3 f32 roundings of O(1) values; compare with f64 arithmetic.
      expectClose(
        y,
        Array.from(a, (v, i) => 2 * v + b[i] + bias[i % Out]),
        { atol: 1e-6, rtol: 1e-6, what: 'residual + bias' },
      );
      expectClose(
        m,
        Array.from(a, (v, i) => 2 * v * b[i]),
        { atol: 1e-7, rtol: 1e-6, what: 'mask apply' },
      );
      rt.destroy(ga, gb, gy, gbias, gm);
    });
  }
});
