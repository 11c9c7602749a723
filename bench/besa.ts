// BESA optimiser steps on the GPU executor (spec §1.7: one calibration sequence per step): time per
// step and the projected time per block (nsamples steps) on a real model's first block, with real
// calibration windows. Also the same step on the CPU reference executor, side by side.
import { readFileSync } from 'node:fs';
import { sampleCalibration, tokenizeCorpus } from '../src/data/windows';
import type { GpuRuntime } from '../src/gpu/runtime';
import { embedCpu } from '../src/model/forward';
import { loadModel } from '../src/model/loader';
import { nodeDirSource } from '../src/model/sourceNode';
import { LINEAR_NAMES, type LinearName } from '../src/model/spec';
import { DEFAULT_BESA } from '../src/prune/config';
import { CpuBlockExecutor, type BlockExecutor } from '../src/prune/executor';
import { GpuBlockExecutor } from '../src/prune/gpuExecutor';
import { besaBlock } from '../src/prune/methods/besa';
import { printTable } from './util';

async function timeSteps(exec: BlockExecutor, block: Parameters<typeof besaBlock>[0]['block'], Xp: Float32Array[], Yref: Float32Array[]): Promise<number[]> {
  const scaler = (n: LinearName) => new Float64Array(block[n].in).fill(1);
  const times: number[] = [];
  await besaBlock({ exec, block, Xp, Yref, scalerRow: scaler, target: 0.5, opts: DEFAULT_BESA, onStep: (s) => times.push(s.seconds * 1000) });
  return times;
}

export async function benchBesa(rt: GpuRuntime, modelDir: string, T: number, steps: number, nsamples: number): Promise<void> {
  const model = await loadModel(nodeDirSource(modelDir));
  const spec = model.spec;
  console.log(`\n## BESA optimiser step (${model.name}, block 0, T=${T}, row-wise, Prodigy; ${steps} steps timed after 1 warm-up)\n`);
  const ids = tokenizeCorpus(model.tokenizer, readFileSync('public/data/sotu-calib.txt', 'utf8').slice(0, 400_000));
  const calib = sampleCalibration(ids, steps + 1, T, 0).ids;
  const Xp = Array.from({ length: steps + 1 }, (_, b) => embedCpu(spec, model.weights, calib.subarray(b * T, (b + 1) * T)));
  const block = model.weights.blocks[0];
  const gpu = new GpuBlockExecutor(rt, spec);
  const Yref = await Promise.all(Xp.map(async (x) => (await gpu.forward(block, x, null)).y));
  const rows: (string | number)[][] = [];
  for (const exec of [gpu, new CpuBlockExecutor(spec)] as BlockExecutor[]) {
    const t = (await timeSteps(exec, block, Xp, Yref)).slice(1); // first step includes shader JIT
    const sorted = [...t].sort((a, b) => a - b);
    const med = sorted[Math.floor(sorted.length / 2)];
    const params = LINEAR_NAMES.reduce((a, n) => a + block[n].out * block[n].in, 0);
    rows.push([exec.kind === 'gpu' ? 'GPU executor' : 'CPU reference executor', med, sorted[0], (med * nsamples) / 1000, params]);
  }
  gpu.dispose();
  printTable(['executor', 'ms/step (median)', 'ms/step (min)', `s/block (${nsamples} steps)`, 'pruned params/block'], rows);
}
