// Prodigy's state and elementwise passes in the WASM module (src/wasm/prodigyStore.ts, wasm/optim.ts) against
// the JS optimiser (src/core/optim/prodigy.ts): the same θ, d and state bit for bit over many steps, for every
// option that reaches the elementwise passes, through a snapshot and restore, and across two stores in turn.
import { describe, expect, it } from 'vitest';
import { Prodigy, type ProdigyOptions } from '../../../src/core/optim/prodigy';
import { Rng } from '../../../src/core/rng';
import { WasmKernels } from '../../../src/wasm/kernels';
import { WasmProdigyStore } from '../../../src/wasm/prodigyStore';

const sizes = [7 * 101, 3 * 101, 1]; // θ tensors of a few rows, and a lone logit

function run(opt: Prodigy, thetas: Float32Array[], grads: Float32Array[][], from: number, to: number) {
  for (let s = from; s < to; s++) opt.step(grads[s]);
  return { thetas: thetas.map((t) => t.slice()), d: opt.d, snap: opt.snapshot() };
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return a.length === b.length;
};

describe('Prodigy in the WASM module', () => {
  const variants: [string, ProdigyOptions][] = [
    ['BESA (lr 1, d_coef 5)', { lr: 1, dCoef: 5 }],
    ['decoupled weight decay, bias correction', { weightDecay: 0.01, useBiasCorrection: true }],
    ['coupled weight decay, safeguard warm-up, growth rate', { weightDecay: 0.02, decouple: false, safeguardWarmup: true, growthRate: 1.02 }],
  ];
  it.each(variants)('%s: θ, d and the state equal the JS optimiser bit for bit over 12 steps, through a snapshot', async (_, o) => {
    const k = await WasmKernels.create();
    const rng = new Rng(11);
    const start = sizes.map((n) => rng.normalArray(n, 0.3));
    const grads = Array.from({ length: 12 }, () => sizes.map((n) => rng.normalArray(n, 1e-2)));
    grads[3][2].fill(0); // a step without progress in one tensor
    const js = start.map((t) => t.slice());
    const wa = start.map((t) => t.slice());
    const ref = run(new Prodigy(js, o), js, grads, 0, 12);
    const optW = new Prodigy(wa, o, new WasmProdigyStore(k, wa));
    const half = run(optW, wa, grads, 0, 6);
    // a fresh store restored from the snapshot continues exactly (a checkpoint inside a block)
    const wb = half.thetas.map((t) => t.slice());
    const optB = new Prodigy(wb, o, new WasmProdigyStore(k, wb));
    optB.restore(half.snap);
    const got = run(optB, wb, grads, 6, 12);
    expect(got.d).toBe(ref.d);
    got.thetas.forEach((t, i) => expect(same(t, ref.thetas[i]), `θ ${i}`).toBe(true));
    got.snap.tensors.forEach((arrs, i) => arrs.forEach((a, j) => expect(same(a, ref.snap.tensors[i][j]), `state ${i}.${j}`).toBe(true)));
    expect(got.snap.scalars).toEqual(ref.snap.scalars);
  });

  it('a store whose slots another store took refuses to run, and a wrong-length snapshot is refused by name', async () => {
    const k = await WasmKernels.create();
    const a = sizes.map((n) => new Float32Array(n));
    const first = new Prodigy(a, {}, new WasmProdigyStore(k, a));
    const second = new Prodigy(a, {}, new WasmProdigyStore(k, a));
    const g = sizes.map((n) => new Float32Array(n).fill(1e-3));
    second.step(g);
    expect(() => first.step(g)).toThrow(/took over/);
    const snap = second.snapshot();
    snap.tensors[0][0] = new Float32Array(3);
    expect(() => second.restore(snap)).toThrow(/OptimizerSnapshotError|3 values saved/);
  });
});
