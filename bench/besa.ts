// BESA optimiser steps on the GPU executor (docs/besa.md §1.7: one calibration sequence per step): time per
// step and the projected time per block (nsamples steps) on a real model's first block, with real
// calibration windows. Side by side in one run: the GPU executor building the step's hard masks on the
// device from the per-row counts (besaHardMasks, docs/besa.md §1.5: uploads 4·G bytes per linear), the same
// executor without that capability (besaBlock then uploads every [out, in] mask each step, as before),
// the WASM executor (SIMD products on one thread and on every core) and the CPU reference executor. Bytes = what passes through rt.write during a step (X, dY, masks or
// counts; the per-block sortIdx/k_d upload is in the first step, which is not timed).
import { readFileSync } from 'node:fs';
import { sampleCalibration, tokenizeCorpus } from '../src/data/windows';
import type { GpuRuntime } from '../src/gpu/runtime';
import { embedCpu } from '../src/model/forward';
import { loadModel } from '../src/model/loader';
import { nodeDirSource } from '../src/model/sourceNode';
import { blockToF32, LINEAR_NAMES, type LinearName } from '../src/model/spec';
import { DEFAULT_BESA } from '../src/prune/config';
import { CpuBlockExecutor, type BlockExecutor } from '../src/prune/executor';
import { GpuBlockExecutor } from '../src/prune/gpuExecutor';
import { besaBlock } from '../src/prune/methods/besa';
import { WasmBlockExecutor } from '../src/prune/wasmExecutor';
import { nodeWasmThreading } from '../src/wasm/threadsNode';
import { printTable } from './util';

/** The GPU executor without its besaHardMasks capability: besaBlock hands it host masks, uploaded every step. */
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
  const scaler = (n: LinearName) => new Float64Array(block[n].in).fill(1);
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
  const params = LINEAR_NAMES.reduce((a, n) => a + block[n].out * block[n].in, 0);
  const threaded = await WasmBlockExecutor.create(spec, nodeWasmThreading());
  const runs: [string, BlockExecutor][] = [
    ['GPU, masks built on device', gpu],
    ['GPU, masks uploaded', uploadingMasks(gpu)],
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
  gpu.dispose();
  threaded.kernels.dispose();
  printTable(
    ['executor', 'ms/step (median)', 'ms/step (min)', `s/block (${nsamples} steps)`, 'KiB uploaded/step', 'pruned params/block'],
    rows,
  );
}
