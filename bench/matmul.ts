// Matmul benchmark: the register-tiled WGSL kernel vs the naive one-output-per-thread WGSL kernel vs
// the WASM SIMD kernel (wasm/gemm.ts, host copies in and out included) on one thread and on every core
// (docs/wasm.md §5) vs a plain
// TypeScript matmul, side by side in one run, at the linear-layer shapes of a LLaMA block
// (y = x Wᵀ with x [T, in], W [out, in]).
import { matmulDesc, matmulTs } from '../src/core/matmul';
import { Rng } from '../src/core/rng';
import { matmul } from '../src/gpu/kernels/matmul';
import type { GpuRuntime } from '../src/gpu/runtime';
import { rowMajor, WasmKernels } from '../src/wasm/kernels';
import { nodeWasmThreading } from '../src/wasm/threadsNode';
import { gflops, printTable, timeCpu, timeGpu } from './util';

interface Shape {
  label: string;
  T: number;
  inF: number;
  outF: number;
}

const SHAPES: Shape[] = [
  { label: 'd=256 q/o (256→256)', T: 256, inF: 256, outF: 256 },
  { label: 'd=256 gate/up (256→688)', T: 256, inF: 256, outF: 688 },
  { label: 'd=256 down (688→256)', T: 256, inF: 688, outF: 256 },
  { label: 'd=768 q/o (768→768)', T: 256, inF: 768, outF: 768 },
  { label: 'd=768 gate/up (768→2048)', T: 256, inF: 768, outF: 2048 },
  { label: 'd=768 down (2048→768)', T: 256, inF: 2048, outF: 768 },
];

export async function benchMatmul(rt: GpuRuntime, reps: number): Promise<{ tiledGflops: number; tiledGflopsSmall: number }> {
  console.log('\n## Matmul: tiled WGSL vs naive WGSL vs WASM SIMD vs plain TypeScript (x·Wᵀ, T=256)\n');
  const wk = await WasmKernels.create();
  const wkN = await WasmKernels.create(nodeWasmThreading());
  const rows: (string | number)[][] = [];
  const rng = new Rng(7);
  let bestTiled = 0;
  let bestSmall = 0; // d=256 shapes: the default model's
  for (const s of SHAPES) {
    const x = rng.uniformArray(s.T * s.inF);
    const w = rng.uniformArray(s.outF * s.inF);
    const flop = 2 * s.T * s.inF * s.outF;
    const gx = rt.upload(x, 'bench-x');
    const gw = rt.upload(w, 'bench-w');
    const gy = rt.createBuffer(s.T * s.outF * 4, 'bench-y');
    const d = matmulDesc(s.T, s.outF, s.inF, 'nt');
    const tiled = await timeGpu(rt, () => matmul(rt, gx, gw, gy, d, 'tiled'), reps);
    const naive = await timeGpu(rt, () => matmul(rt, gx, gw, gy, d, 'naive'), Math.max(1, Math.ceil(reps / 2)));
    // The TS baseline computes x·B with B = Wᵀ pre-transposed (its fastest loop order).
    const wt = new Float32Array(s.inF * s.outF);
    for (let o = 0; o < s.outF; o++) for (let i = 0; i < s.inF; i++) wt[i * s.outF + o] = w[o * s.inF + i];
    const ts = timeCpu(() => matmulTs(x, wt, s.T, s.inF, s.outF), Math.max(1, Math.ceil(reps / 2)));
    // WASM: y = x·Wᵀ read straight from W [out, in] (the layout the engine uses), copies in and out timed.
    const onWasm = (k: WasmKernels) => () => {
      k.reset();
      const X = k.put(x);
      const W = k.put(w);
      const Y = k.alloc(s.T * s.outF);
      k.gemm(s.T, s.outF, s.inF, rowMajor(X, s.inF), rowMajor(W, s.inF, true), { ptr: Y.ptr, ld: s.outF });
      k.read(Y);
    };
    const wasm = timeCpu(onWasm(wk), reps);
    const wasmN = timeCpu(onWasm(wkN), reps);
    rt.destroy(gx, gw, gy);
    const gT = gflops(flop, tiled.medianMs);
    const gN = gflops(flop, naive.medianMs);
    const gS = gflops(flop, ts.medianMs);
    const gW = gflops(flop, wasm.medianMs);
    const gWN = gflops(flop, wasmN.medianMs);
    bestTiled = Math.max(bestTiled, gT);
    if (s.label.startsWith('d=256')) bestSmall = Math.max(bestSmall, gT);
    rows.push([
      s.label,
      `${s.T}×${s.outF}×${s.inF}`,
      gT,
      gN,
      gW,
      gWN,
      gS,
      `${(gT / gN).toFixed(2)}×`,
      `${(gW / gS).toFixed(1)}×`,
      `${(gW / gT).toFixed(2)}×`,
    ]);
  }
  printTable(
    [
      'shape',
      'M×N×K',
      'tiled GFLOP/s',
      'naive GFLOP/s',
      'WASM GFLOP/s',
      `WASM ${wkN.threads} thr GFLOP/s`,
      'TS GFLOP/s',
      'tiled/naive',
      'WASM/TS',
      'WASM/tiled',
    ],
    rows,
  );
  wkN.dispose();
  return { tiledGflops: bestTiled, tiledGflopsSmall: bestSmall };
}
