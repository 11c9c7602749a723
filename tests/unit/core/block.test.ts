// blockForwardRef/blockBackwardRef: composition checked against an independently written dense
// forward, and dx / dMask (all 7 linears, entrywise) checked by finite differences in f64.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { blockBackwardRef, blockForwardRef } from '../../../src/core/ops/block';
import { LINEAR_NAMES, linearShapes, type LinearName } from '../../../src/model/spec';
import { dot, fdGrad, randn64 } from './helpers';
import { randomBlock, SPEC_SHAPES, tinyBlockSpec } from '../../support/specs';
import { expectClose } from '../../support/close';

const ATOL = 1e-7;
const RTOL = 1e-6;

describe('blockForwardRef / blockBackwardRef', () => {
  const cases = [
    { name: 'half rope, H=3 KVH=1, no bias', spec: tinyBlockSpec() },
    { name: 'interleaved rope, H=4 KVH=2, qkv bias', spec: tinyBlockSpec(SPEC_SHAPES.qwen2Block) },
  ];
  for (const { name, spec } of cases) {
    it(`${name}: dx and every dMask entry match finite differences (f64)`, () => {
      const rng = new Rng(name.length * 7 + 1);
      const T = 5;
      const w = randomBlock(spec, rng);
      const shapes = linearShapes(spec);
      const masks: Partial<Record<LinearName, Float64Array>> = {};
      for (const n of LINEAR_NAMES) {
        const [o, i] = shapes[n];
        masks[n] = new Float64Array(o * i);
        for (let j = 0; j < o * i; j++) masks[n]![j] = rng.next() < 0.3 ? 0 : rng.next(); // some hard zeros
      }
      const x = randn64(rng, T * spec.dim);
      const R = randn64(rng, T * spec.dim);
      const L = () => dot(blockForwardRef(spec, w, masks, x, T).y, R);
      const { saved } = blockForwardRef(spec, w, masks, x, T);
      const { dx, dMask } = blockBackwardRef(spec, w, masks, saved, R);
      expectClose(dx, fdGrad(L, x), { atol: ATOL, rtol: RTOL, what: 'block dx' });
      for (const n of LINEAR_NAMES) expectClose(dMask[n], fdGrad(L, masks[n]!), { atol: ATOL, rtol: RTOL, what: `block dMask.${n}` });
    });
  }

  it('masks=null equals all-ones masks, and its dMask is the gradient at M = 1', () => {
    const spec = tinyBlockSpec({ nHeads: 4, nKvHeads: 2, headDim: 2 });
    const rng = new Rng(5);
    const T = 7;
    const w = randomBlock(spec, rng);
    const x = randn64(rng, T * spec.dim),
      R = randn64(rng, T * spec.dim);
    const ones: Partial<Record<LinearName, Float64Array>> = {};
    for (const n of LINEAR_NAMES) ones[n] = new Float64Array(linearShapes(spec)[n][0] * linearShapes(spec)[n][1]).fill(1);
    const a = blockForwardRef(spec, w, null, x, T);
    const b = blockForwardRef(spec, w, ones, x, T);
    expectClose(a.y, b.y, { atol: 1e-14, rtol: 1e-14, what: 'dense vs ones' });
    const g = blockBackwardRef(spec, w, null, a.saved, R);
    for (const n of LINEAR_NAMES)
      expectClose(
        g.dMask[n],
        fdGrad(() => dot(blockForwardRef(spec, w, ones, x, T).y, R), ones[n]!, 1e-6, [0, 5, 17]),
        { atol: ATOL, rtol: RTOL, what: `dMask.${n} at 1`, indices: [0, 5, 17] },
      );
  });

  it('f32 forward matches the f64 forward, and a zero mask on o and down makes the block the identity', () => {
    const spec = tinyBlockSpec();
    const rng = new Rng(9);
    const T = 5;
    const w = randomBlock(spec, rng);
    const x32 = rng.normalArray(T * spec.dim);
    const y32 = blockForwardRef(spec, w, null, x32, T).y;
    expect(y32).toBeInstanceOf(Float32Array);
    const y64 = blockForwardRef(spec, w, null, Float64Array.from(x32), T).y;
    expectClose(y32, y64, { atol: 1e-5, rtol: 1e-5, what: 'f32 vs f64 block' });
    const zeros = { o: new Float32Array(spec.dim * spec.nHeads * spec.headDim), down: new Float32Array(spec.dim * spec.ffnDim) };
    expectClose(blockForwardRef(spec, w, zeros, x32, T).y, x32, { atol: 0, rtol: 0, what: 'identity block' });
  });
});
