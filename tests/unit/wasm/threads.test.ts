// WASM threads (src/wasm/threads.ts, docs/wasm.md §5) in Node: worker_threads helpers running the
// shared-memory build. A product split over threads must equal the one-thread product bit for bit
// (each element is summed in the same order, only the columns are shared out), for every layout and
// for sizes that leave some helpers an empty range; a whole BESA block on 3 threads must equal one
// on 1 thread; errors are named.
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { rowMajor, WasmKernels, wasmThreadsSupported } from '../../../src/wasm/kernels';
import { splitPanels, type HelperThread } from '../../../src/wasm/threads';
import { nodeWasmThreading } from '../../../src/wasm/threadsNode';
import { WasmBlockExecutor } from '../../../src/prune/wasmExecutor';
import { expectBesaBlockMatchesCpu } from '../../support/executorParity';

const open: WasmKernels[] = [];
/** minMacs 0: every product is split, however small (the micro model's are far below the default). */
async function kernels(threads: number, packChunkBytes?: number): Promise<WasmKernels> {
  const k = await WasmKernels.create(threads > 1 ? { ...nodeWasmThreading(threads), minMacs: 0 } : undefined, { packChunkBytes });
  open.push(k);
  return k;
}
afterAll(() => open.forEach((k) => k.dispose()));

/** C = op(A)·op(B) on kernels k, for fixed seeded operands. */
function product(k: WasmKernels, M: number, N: number, K: number, mode: 'AB' | 'ABt' | 'AtB', seed: number): Float32Array {
  const rng = new Rng(seed);
  k.reset();
  const A = k.put(rng.normalArray(M * K, 1));
  const B = k.put(rng.normalArray(K * N, 1));
  const C = k.alloc(M * N);
  const opA = mode === 'AtB' ? rowMajor(A, M, true) : rowMajor(A, K);
  const opB = mode === 'ABt' ? rowMajor(B, K, true) : rowMajor(B, N);
  k.gemm(M, N, K, opA, opB, { ptr: C.ptr, ld: N });
  return k.read(C);
}

describe('WASM threads (Node worker_threads)', () => {
  it('shared memory is available in Node, and panels split evenly and completely', () => {
    expect(wasmThreadsSupported()).toBe(true);
    expect(splitPanels(10, 3)).toEqual([[0, 3], [3, 6], [6, 10]]);
    expect(splitPanels(2, 4)).toEqual([[0, 0], [0, 1], [1, 1], [1, 2]]);
  });

  it.each([
    [64, 300, 70],
    [200, 37, 150], // 3 panels for 4 threads: one helper idles
    [129, 1000, 33],
  ])('M=%i N=%i K=%i on 4 threads equals 1 thread exactly, every layout', async (M, N, K) => {
    const one = await kernels(1);
    const four = await kernels(4);
    expect(four.threads).toBe(4);
    for (const mode of ['AB', 'ABt', 'AtB'] as const) {
      const seed = M + N + K;
      expect(product(four, M, N, K, mode, seed)).toEqual(product(one, M, N, K, mode, seed));
    }
  });

  it('products packed a few panels at a time (a small packChunkBytes) equal the whole packing, on 1 and 4 threads', async () => {
    const [M, N, K] = [37, 1000, 45]; // 63 panels of 45 · 64 bytes: chunks of 2 (1 thread) or 4 (4 threads, at least one per thread)
    const one = await kernels(1);
    for (const small of [await kernels(1, 6000), await kernels(4, 6000)])
      for (const mode of ['AB', 'ABt', 'AtB'] as const) expect(product(small, M, N, K, mode, 5)).toEqual(product(one, M, N, K, mode, 5));
    // the scratch a chunked product takes is bounded by the chunk, not by B
    const k = await kernels(1, 6000);
    const before = k.bytesReserved;
    product(k, 8, 16 * 400, 512, 'AB', 6); // B packed whole would need 400 · 512 · 64 B = 12.5 MiB of scratch
    expect(k.bytesReserved - before).toBeLessThan(4 * (8 * 512 + 512 * 16 * 400 + 8 * 16 * 400) + (1 << 20)); // A, B, C + under 1 MiB
  });

  it('a BESA block on 3 threads equals the CPU reference like the one-thread engine does', async () => {
    await expectBesaBlockMatchesCpu(async (m) => {
      const e = new WasmBlockExecutor(m.spec, await kernels(3));
      expect(e.adapter).toBe('wasm (SIMD f32 products, 3 threads)');
      return e;
    });
  });

  it('a helper that cannot start is a named error, and nothing is left running', async () => {
    const terminated: number[] = [];
    const broken = (i: number): HelperThread => ({
      postMessage: () => {},
      onFirstMessage: (cb) => setTimeout(() => cb(i === 1 ? 'failed: SyntaxError in gemmHelper.js' : 'ready'), 1),
      terminate: () => void terminated.push(i),
    });
    let n = 0;
    await expect(WasmKernels.create({ threads: 3, spawn: () => broken(n++) })).rejects.toThrow(
      /WasmThreadError|WASM helper thread 1 did not start: failed: SyntaxError/,
    );
    expect(terminated.sort()).toEqual([0, 1]);
  });
});
