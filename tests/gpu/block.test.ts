import { describe, expect, it } from 'vitest';
import { blockBackwardRef, blockForwardRef } from '../../src/core/ops/block';
import { Rng } from '../../src/core/rng';
import {
  blockBackwardGpu,
  blockForwardGpu,
  createBlockActivations,
  createBlockGrads,
  destroyBlockBuffers,
  type BlockWeightsGpu,
} from '../../src/gpu/block';
import type { GpuRuntime } from '../../src/gpu/runtime';
import { LINEAR_NAMES, linearOf, linearShapes, type BlockWeights, type LinearName, type ModelSpec } from '../../src/model/spec';
import { randomBlock, SPEC_SHAPES, tinyBlockSpec } from '../support/specs';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

function upload(rt: GpuRuntime, w: BlockWeights): BlockWeightsGpu {
  const g = { attnNorm: rt.upload(w.attnNorm, 'attnNorm'), mlpNorm: rt.upload(w.mlpNorm, 'mlpNorm') } as BlockWeightsGpu;
  for (const n of LINEAR_NAMES) {
    const l = linearOf(w, n);
    g[n] = { w: rt.upload(l.w, `${n}.w`), b: l.b ? rt.upload(l.b, `${n}.b`) : null, out: l.out, in: l.in };
  }
  return g;
}

/** Hard 0/1 masks (~50 % kept) on the listed linears; the others dense. */
function masksFor(spec: ModelSpec, rng: Rng, names: LinearName[]): Partial<Record<LinearName, Float32Array>> {
  const shapes = linearShapes(spec);
  const m: Partial<Record<LinearName, Float32Array>> = {};
  for (const n of names) m[n] = Float32Array.from({ length: shapes[n][0] * shapes[n][1] }, () => (rng.next() < 0.5 ? 0 : 1));
  return m;
}

// C, F, H·D not multiples of any tile; GQA 3:1 ('half') and 4:2 with qkv bias ('interleaved').
const CASES: { name: string; spec: ModelSpec; T: number; masked: LinearName[] }[] = [
  {
    name: 'half, H=3 KVH=1 D=6, masks on q, o, up, down',
    spec: tinyBlockSpec({ dim: 20, ffnDim: 44 }),
    T: 7,
    masked: ['q', 'o', 'up', 'down'],
  },
  {
    name: 'interleaved, H=4 KVH=2 D=32, qkv bias, all masked',
    spec: tinyBlockSpec(SPEC_SHAPES.qwen2WideBlock),
    T: 33,
    masked: [...LINEAR_NAMES],
  },
  { name: 'half, H=3 KVH=3 D=6, T=1, dense', spec: tinyBlockSpec({ nKvHeads: 3 }), T: 1, masked: [] },
];

describe('GPU masked block vs blockForwardRef / blockBackwardRef', () => {
  for (const { name, spec, T, masked } of CASES) {
    it(name, async () => {
      const rt = await getRuntime();
      const rng = new Rng(spec.dim * 7 + T);
      const w = randomBlock(spec, rng);
      const masks = masksFor(spec, rng, masked);
      const x = rng.normalArray(T * spec.dim);
      const dy = rng.normalArray(T * spec.dim);
      const ref = blockForwardRef(spec, w, masks, x, T);
      const refB = blockBackwardRef(spec, w, masks, ref.saved, dy);

      const gw = upload(rt, w);
      const gm: Partial<Record<LinearName, GPUBuffer>> = {};
      for (const n of masked) gm[n] = rt.upload(masks[n]!, `mask.${n}`);
      const gx = rt.upload(x, 'x');
      const gdy = rt.upload(dy, 'dy');
      const acts = createBlockActivations(rt, spec, T);
      const grads = createBlockGrads(rt, spec, T);
      const shapes = linearShapes(spec);
      const got = await rt.validated('block', async () => {
        blockForwardGpu(rt, spec, gw, gm, gx, acts, T);
        blockBackwardGpu(rt, spec, gw, gm, gx, acts, gdy, grads, T);
        const dMask = {} as Record<LinearName, Float32Array>;
        for (const n of LINEAR_NAMES) dMask[n] = await rt.read(grads.dMask[n], shapes[n][0] * shapes[n][1] * 4);
        return {
          y: await rt.read(acts.y, T * spec.dim * 4),
          x1: await rt.read(acts.x1, T * spec.dim * 4),
          h: await rt.read(acts.h, T * spec.ffnDim * 4),
          dx: await rt.read(grads.dx, T * spec.dim * 4),
          dMask,
        };
      });
      // A chain of ~15 f32 ops with dot products of length ≤ 130 on O(1) values; 1e-5 relative plus an
      // absolute floor for entries that cancel to ~0.
      expectClose(got.x1, ref.saved.x1, { atol: 1e-5, rtol: 1e-5, what: `x1 ${name}` });
      expectClose(got.h, ref.saved.h, { atol: 1e-5, rtol: 1e-5, what: `h ${name}` });
      expectClose(got.y, ref.y, { atol: 1e-5, rtol: 1e-5, what: `y ${name}` });
      expectClose(got.dx, refB.dx, { atol: 2e-5, rtol: 1e-5, what: `dx ${name}` });
      for (const n of LINEAR_NAMES) expectClose(got.dMask[n], refB.dMask[n], { atol: 2e-5, rtol: 1e-5, what: `dMask.${n} ${name}` });
      destroyBlockBuffers(rt, acts);
      destroyBlockBuffers(rt, grads);
      rt.destroy(gx, gdy, gw.attnNorm, gw.mlpNorm, ...Object.values(gm), ...LINEAR_NAMES.flatMap((n) => [gw[n].w, gw[n].b]));
    });
  }

  it('accumulates dMask over two sequences and refuses buffers made for another T', async () => {
    const rt = await getRuntime();
    const spec = tinyBlockSpec();
    const T = 5;
    const rng = new Rng(99);
    const w = randomBlock(spec, rng);
    const masks = masksFor(spec, rng, ['k', 'gate']);
    const seqs = [0, 1].map(() => ({ x: rng.normalArray(T * spec.dim), dy: rng.normalArray(T * spec.dim) }));
    const want = seqs.map((s) => blockBackwardRef(spec, w, masks, blockForwardRef(spec, w, masks, s.x, T).saved, s.dy).dMask);
    const gw = upload(rt, w);
    const gm = { k: rt.upload(masks.k!, 'mask.k'), gate: rt.upload(masks.gate!, 'mask.gate') };
    const acts = createBlockActivations(rt, spec, T);
    const grads = createBlockGrads(rt, spec, T);
    const bufs = seqs.map((s) => ({ x: rt.upload(s.x, 'x'), dy: rt.upload(s.dy, 'dy') }));
    bufs.forEach((b, i) => {
      blockForwardGpu(rt, spec, gw, gm, b.x, acts, T);
      blockBackwardGpu(rt, spec, gw, gm, b.x, acts, b.dy, grads, T, { accumulateDMask: i > 0 });
    });
    const shapes = linearShapes(spec);
    for (const n of LINEAR_NAMES) {
      const got = await rt.read(grads.dMask[n], shapes[n][0] * shapes[n][1] * 4);
      expectClose(
        got,
        want[0][n].map((v, i) => v + want[1][n][i]),
        { atol: 2e-5, rtol: 1e-5, what: `dMask.${n} summed` },
      );
    }
    expect(() => blockForwardGpu(rt, spec, gw, gm, bufs[0].x, acts, T + 1)).toThrow(/created for T=5/);
    destroyBlockBuffers(rt, acts);
    destroyBlockBuffers(rt, grads);
    rt.destroy(
      gw.attnNorm,
      gw.mlpNorm,
      gm.k,
      gm.gate,
      ...bufs.flatMap((b) => [b.x, b.dy]),
      ...LINEAR_NAMES.flatMap((n) => [gw[n].w, gw[n].b]),
    );
  });
});
