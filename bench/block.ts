// One LLaMA block forward + backward (what a BESA optimiser step runs) at T tokens on the default
// model: time, FLOP count, achieved GFLOP/s, and the ratio to the tiled matmul's own rate measured in
// the same run (how much the non-matmul kernels and dispatch overhead cost).
import { linearShapes, LINEAR_NAMES, type ModelSpec } from '../src/model/spec';
import { loadModel } from '../src/model/loader';
import { nodeDirSource } from '../src/model/sourceNode';
import { Rng } from '../src/core/rng';
import { blockBackwardGpu, blockForwardGpu, createBlockActivations, createBlockGrads, destroyBlockBuffers } from '../src/gpu/block';
import { destroyModel, uploadModel } from '../src/gpu/modelWeights';
import type { GpuRuntime } from '../src/gpu/runtime';
import { gflops, printTable, timeGpu } from './util';

/** Forward and backward FLOPs of one block: matmuls only (elementwise work is ignored). */
export function blockFlops(spec: ModelSpec, T: number): { forward: number; backward: number } {
  const shapes = linearShapes(spec);
  let linear = 0;
  for (const n of LINEAR_NAMES) linear += 2 * T * shapes[n][0] * shapes[n][1];
  const attn = 2 * spec.nHeads * T * T * spec.headDim; // one of QKᵀ / PV (full square, as computed)
  // backward: dX and dM per linear (2× forward); attention dP, dQ, dK, dV (4 products)
  return { forward: linear + 2 * attn, backward: 2 * linear + 4 * attn };
}

export async function benchBlock(rt: GpuRuntime, modelDir: string, T: number, reps: number, matmulGflops: number): Promise<void> {
  const model = await loadModel(nodeDirSource(modelDir));
  const spec = model.spec;
  console.log(
    `\n## Block forward + backward (${model.name}: d=${spec.dim}, ffn=${spec.ffnDim}, heads ${spec.nHeads}/${spec.nKvHeads}, T=${T})\n`,
  );
  const gm = uploadModel(rt, spec, model.weights);
  const rng = new Rng(3);
  const x = rt.upload(rng.normalArray(T * spec.dim), 'bench-x');
  const dy = rt.upload(rng.normalArray(T * spec.dim, 1e-2), 'bench-dy');
  const masks = Object.fromEntries(
    LINEAR_NAMES.map((n) => {
      const [o, i] = linearShapes(spec)[n];
      return [
        n,
        rt.upload(
          new Float32Array(o * i).map(() => (rng.next() < 0.5 ? 0 : 1)),
          `mask-${n}`,
        ),
      ];
    }),
  );
  const acts = createBlockActivations(rt, spec, T);
  const grads = createBlockGrads(rt, spec, T);
  const w = gm.blocks[0];
  const fwd = await timeGpu(rt, () => blockForwardGpu(rt, spec, w, masks, x, acts, T), reps);
  const both = await timeGpu(
    rt,
    () => {
      blockForwardGpu(rt, spec, w, masks, x, acts, T);
      blockBackwardGpu(rt, spec, w, masks, x, acts, dy, grads, T);
    },
    reps,
  );
  const f = blockFlops(spec, T);
  const gF = gflops(f.forward, fwd.medianMs);
  const gB = gflops(f.forward + f.backward, both.medianMs);
  printTable(
    ['pass', 'time ms', 'GFLOP', 'GFLOP/s', 'vs tiled matmul'],
    [
      ['forward', fwd.medianMs, f.forward / 1e9, gF, `${((100 * gF) / matmulGflops).toFixed(0)} %`],
      ['forward + backward', both.medianMs, (f.forward + f.backward) / 1e9, gB, `${((100 * gB) / matmulGflops).toFixed(0)} %`],
    ],
  );
  console.log(`\n(tiled matmul reference rate in this run: ${matmulGflops.toFixed(2)} GFLOP/s, best of the d=256 shapes)`);
  destroyBlockBuffers(rt, acts);
  destroyBlockBuffers(rt, grads);
  rt.destroy(x, dy, ...Object.values(masks));
  destroyModel(rt, gm);
}
