// Our tiled WGSL matmul against a peer library's WebGPU matmul, side by side in one run on the same adapter
// (issue #12): tfjs-backend-webgpu (a devDependency used only here), at the shapes M·K·N and the three
// layouts the BESA block uses: A·B, A·Bᵀ (x·Wᵀ, the linears) and Aᵀ·B (dL/dW). Each timing is one product plus
// the read-back of C, for both (tfjs only finishes work when data is read), median of `reps` after a warm-up.
import { matmulDesc, type Transpose } from '../src/core/matmul';
import { Rng } from '../src/core/rng';
import { matmul } from '../src/gpu/kernels/matmul';
import type { GpuRuntime } from '../src/gpu/runtime';
import { gflops, printTable } from './util';

const SHAPES: [number, number, number][] = [
  [256, 256, 256],
  [256, 256, 688],
  [256, 688, 256],
  [256, 768, 2048],
  [512, 512, 512],
  [1024, 1024, 1024],
];
const LAYOUTS: { t: Transpose; label: string; ta: boolean; tb: boolean }[] = [
  { t: 'nn', label: 'A·B', ta: false, tb: false },
  { t: 'nt', label: 'A·Bᵀ', ta: false, tb: true },
  { t: 'tn', label: 'Aᵀ·B', ta: true, tb: false },
];

async function median(fn: () => Promise<void>, reps: number): Promise<number> {
  await fn(); // warm-up: pipeline compilation, first allocation
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** tfjs on a second Dawn instance of the same adapter (it asks navigator.gpu for its own device). */
async function loadTfjs(): Promise<typeof import('@tensorflow/tfjs-core') | string> {
  try {
    const webgpu = await import('webgpu');
    const gpu = webgpu.create(process.env.BESA_ADAPTER ? [`adapter=${process.env.BESA_ADAPTER}`] : []);
    (globalThis as { __tfjsGpu?: unknown }).__tfjsGpu = gpu; // keep the instance alive (docs/webgpu-notes.md)
    Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: 'node' }, configurable: true });
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) return 'tfjs-backend-webgpu found no adapter';
    return tf;
  } catch (e) {
    return `tfjs-backend-webgpu failed to start: ${(e as Error).message}`;
  }
}

export async function benchPeers(rt: GpuRuntime, reps: number, maxSize = Infinity): Promise<void> {
  console.log('\n## Matmul against tfjs-backend-webgpu (same adapter, product + read-back of C, median)\n');
  const tf = await loadTfjs();
  if (typeof tf === 'string') {
    console.log(tf);
    return;
  }
  const rng = new Rng(11);
  const rows: (string | number)[][] = [];
  const ratios: number[] = [];
  for (const [M, K, N] of SHAPES.filter((s) => Math.max(...s) <= maxSize)) {
    const flop = 2 * M * K * N;
    for (const l of LAYOUTS) {
      const a = rng.uniformArray(M * K); // [M, K], or [K, M] stored for Aᵀ
      const b = rng.uniformArray(K * N); // [K, N], or [N, K] stored for Bᵀ
      const ga = rt.upload(a, 'peer-a');
      const gb = rt.upload(b, 'peer-b');
      const gc = rt.createBuffer(M * N * 4, 'peer-c');
      const d = matmulDesc(M, N, K, l.t);
      const ours = await median(async () => {
        matmul(rt, ga, gb, gc, d, 'tiled');
        await rt.read(gc);
      }, reps);
      const ta = tf.tensor2d(a, l.ta ? [K, M] : [M, K]);
      const tb = tf.tensor2d(b, l.tb ? [N, K] : [K, N]);
      const peer = await median(async () => {
        const c = tf.matMul(ta, tb, l.ta, l.tb);
        await c.data();
        c.dispose();
      }, reps);
      ta.dispose();
      tb.dispose();
      for (const buf of [ga, gb, gc]) buf.destroy();
      const ratio = peer / ours;
      ratios.push(ratio);
      rows.push([`${M}·${K}·${N}`, l.label, ours, gflops(flop, ours), peer, gflops(flop, peer), `${ratio.toFixed(2)}×`]);
    }
  }
  printTable(['M·K·N', 'layout', 'ours ms', 'ours GFLOP/s', 'tfjs ms', 'tfjs GFLOP/s', 'ours vs tfjs'], rows);
  console.log(
    `\nours / tfjs speed: ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}× (issue #12 target: ≥ 2× on SwiftShader, ≥ 1.2× on lavapipe and real GPUs)`,
  );
}
