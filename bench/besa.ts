// BESA optimiser steps (docs/besa.md §1.7: one calibration sequence per step): time per step and the projected
// time per block (nsamples steps) on a real model's first block, with real calibration windows. Side by side in
// one run: the GPU executor's device-resident step (besaStep, docs/speed.md §2: one submit, one readback), the
// same executor as separate calls (forward, host L_rec, besaPrefix) with the masks built on the device from the
// counts and with the masks uploaded every step, the WASM executor (one thread and every core) and the CPU
// reference executor. Bytes = what passes through rt.write during a step (X, Y_ref or dY, masks or counts; the
// per-block sortIdx/k_d upload is in the first step, which is not timed). Then one device step in detail: its
// counters, a per-kernel timed replay (docs/speed.md §1) and its GFLOP/s against our matmul's at its shapes.
import { readFileSync } from 'node:fs';
import { sampleCalibration, tokenizeCorpus } from '../src/data/windows';
import type { GpuRuntime } from '../src/gpu/runtime';
import { embedCpu } from '../src/model/forward';
import { loadModel } from '../src/model/loader';
import { nodeDirSource } from '../src/model/sourceNode';
import { blockToF32, LINEAR_NAMES, linearOf, type BlockWeights, type LinearName, type ModelSpec } from '../src/model/spec';
import { byKernel, replayEach } from '../src/gpu/profile';
import type { CapturedDispatch } from '../src/gpu/runtime';
import { DEFAULT_BESA } from '../src/prune/config';
import { CpuBlockExecutor, type BlockExecutor } from '../src/prune/executor';
import { GpuBlockExecutor } from '../src/prune/gpuExecutor';
import { besaBlock } from '../src/prune/methods/besa';
import { WasmBlockExecutor } from '../src/prune/wasmExecutor';
import { nodeWasmThreading } from '../src/wasm/threadsNode';
import { gflops, printTable } from './util';

/** The GPU executor as separate calls (besaStepOf: forward, host L_rec, besaPrefix), masks built on the device. */
function separateCalls(e: GpuBlockExecutor): BlockExecutor {
  return { ...uploadingMasks(e), besaHardMasks: (b, o, c) => e.besaHardMasks(b, o, c) };
}

/** The GPU executor without its besaStep and besaHardMasks capabilities: host masks, uploaded every step. */
function uploadingMasks(e: GpuBlockExecutor): BlockExecutor {
  return {
    kind: e.kind,
    adapter: e.adapter,
    spec: e.spec,
    forward: (b, x, m, o) => e.forward(b, x, m, o),
    backward: (b, m, s, dy, o) => e.backward(b, m, s, dy, o),
    besaPrefix: (b, m, s, dy, order) => e.besaPrefix(b, m, s, dy, order),
    memory: () => e.memory(),
  };
}

/** Per step: wall ms and the bytes written to the GPU through rt.write (null on the CPU). */
async function timeSteps(
  exec: BlockExecutor,
  rt: GpuRuntime,
  block: Parameters<typeof besaBlock>[0]['block'],
  Xp: Float32Array[],
  Yref: Float32Array[],
): Promise<{ ms: number[]; bytes: number[] }> {
  const scaler = (n: LinearName) => new Float64Array(linearOf(block, n).in).fill(1);
  const ms: number[] = [];
  const bytes: number[] = [];
  let written = 0;
  const write = rt.write;
  rt.write = (b, d, o) => ((written += d.byteLength), write.call(rt, b, d, o));
  try {
    await besaBlock({
      exec,
      block,
      Xp,
      Yref,
      scalerRow: scaler,
      target: 0.5,
      opts: DEFAULT_BESA,
      beforeStep: async () => void (written = 0),
      onStep: (s) => (ms.push(s.seconds * 1000), bytes.push(written)),
    });
  } finally {
    rt.write = write;
  }
  return { ms, bytes };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

export async function benchBesa(rt: GpuRuntime, modelDir: string, T: number, steps: number, nsamples: number): Promise<void> {
  const model = await loadModel(nodeDirSource(modelDir));
  const spec = model.spec;
  console.log(`\n## BESA optimiser step (${model.name}, block 0, T=${T}, row-wise, Prodigy; ${steps} steps timed after 1 warm-up)\n`);
  const ids = tokenizeCorpus(model.tokenizer, readFileSync('public/data/sotu-calib.txt', 'utf8').slice(0, 400_000));
  const calib = sampleCalibration(ids, steps + 1, T, 0).ids;
  const Xp = Array.from({ length: steps + 1 }, (_, b) => embedCpu(spec, model.weights, calib.subarray(b * T, (b + 1) * T)));
  const block = blockToF32(model.weights.blocks[0]);
  const gpu = new GpuBlockExecutor(rt, spec);
  const Yref = await Promise.all(Xp.map(async (x) => (await gpu.forward(block, x, null)).y));
  const rows: (string | number)[][] = [];
  const params = LINEAR_NAMES.reduce((a, n) => a + linearOf(block, n).out * linearOf(block, n).in, 0);
  const threaded = await WasmBlockExecutor.create(spec, nodeWasmThreading());
  const runs: [string, BlockExecutor][] = [
    ['GPU, step on the device (1 submit, 1 readback)', gpu],
    ['GPU, separate calls, masks built on device', separateCalls(gpu)],
    ['GPU, separate calls, masks uploaded', uploadingMasks(gpu)],
    ['WASM executor (SIMD, 1 thread)', await WasmBlockExecutor.create(spec)],
    [`WASM executor (SIMD, ${threaded.kernels.threads} threads)`, threaded],
    ['CPU reference executor', new CpuBlockExecutor(spec)],
  ];
  for (const [label, exec] of runs) {
    const r = await timeSteps(exec, rt, block, Xp, Yref);
    const t = r.ms.slice(1); // first step includes shader JIT and the per-block uploads
    const med = median(t);
    const kb = exec.kind === 'gpu' ? (median(r.bytes.slice(1)) / 1024).toFixed(1) : '-';
    rows.push([label, med, Math.min(...t), (med * nsamples) / 1000, kb, params]);
  }
  threaded.kernels.dispose();
  printTable(
    ['executor', 'ms/step (median)', 'ms/step (min)', `s/block (${nsamples} steps)`, 'KiB uploaded/step', 'pruned params/block'],
    rows,
  );
  await stepBreakdown(rt, gpu, block, Xp, Yref, T);
  gpu.dispose();
}

/** Matmul FLOPs of one step: forward, dL/dW and dL/dX (none for q, k, v) of the linears, attention 3 + 4 products. */
function stepMatmulFlops(spec: ModelSpec, block: BlockWeights, T: number): number {
  const P = LINEAR_NAMES.reduce((a, n) => a + linearOf(block, n).out * linearOf(block, n).in, 0);
  const Pqkv = (['q', 'k', 'v'] as const).reduce((a, n) => a + linearOf(block, n).out * linearOf(block, n).in, 0);
  const att = 2 * spec.nHeads * T * T * spec.headDim; // one [T, T]·[T, D] product over all heads
  return 2 * T * P * 2 + 2 * T * (P - Pqkv) + att * (2 + 4);
}

/** One device step: counters, a per-kernel timed replay (no timestamp queries on software adapters), GFLOP/s. */
async function stepBreakdown(
  rt: GpuRuntime,
  gpu: GpuBlockExecutor,
  block: BlockWeights,
  Xp: Float32Array[],
  Yref: Float32Array[],
  T: number,
) {
  const stepOpts = { ...DEFAULT_BESA };
  const list: CapturedDispatch[] = [];
  let c0 = { ...rt.counters };
  let stepMs = 0;
  await besaBlock({
    exec: gpu,
    block,
    Xp: Xp.slice(0, 2),
    Yref: Yref.slice(0, 2),
    scalerRow: (n) => new Float64Array(linearOf(block, n).in).fill(1),
    target: 0.5,
    opts: stepOpts,
    beforeStep: async (s) => void (s === 1 && ((rt.capture = list), (c0 = { ...rt.counters }))),
    onStep: (s) => void (s.step === 1 && ((rt.capture = null), (stepMs = s.seconds * 1000))),
  });
  const c = {
    dispatches: rt.counters.dispatches - c0.dispatches,
    submits: rt.counters.submits - c0.submits,
    readbacks: rt.counters.readbacks - c0.readbacks,
  };
  const each = await replayEach(rt, list, 3);
  const kernels = byKernel(list, each);
  const total = each.reduce((a, b) => a + b, 0);
  console.log(
    `\n### One device step: ${c.dispatches} dispatches, ${c.submits} submit(s), ${c.readbacks} readback(s); ${stepMs.toFixed(0)} ms wall, ${total.toFixed(0)} ms replayed\n`,
  );
  printTable(
    ['kernel', 'dispatches', 'ms (replay)', 'share'],
    kernels.map((k) => [k.kernel, String(k.dispatches), k.ms, `${((100 * k.ms) / total).toFixed(1)} %`]),
  );
  const flop = stepMatmulFlops(gpu.spec, block, T);
  const mm = kernels.find((k) => k.kernel === 'matmul_tiled.main')?.ms ?? NaN;
  const stepRate = gflops(flop, stepMs);
  const mmRate = gflops(flop, mm);
  console.log(
    `\nstep: ${stepRate.toFixed(2)} GFLOP/s of matmul work over the whole step; our matmul at the step's shapes: ${mmRate.toFixed(2)} GFLOP/s; step / matmul = ${((100 * stepRate) / mmRate).toFixed(0)} %`,
  );
}
