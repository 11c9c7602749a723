// GPU memory on a real model shape (issue #11, docs/real-models.md §2): BESA prunes a 2-block synthetic
// SmolLM2-135M-shape model (bf16 on the host) on the GPU executor. The ledger's peak must stay within a
// few copies of one block's f32 weights plus the activations (the executor holds one block at a time:
// weights, masked weights, masks, sort order, gradients), and block 1 must not add to block 0's peak (nothing of a
// finished block is kept). The masks equal the WASM engine's on the same model.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticCheckpoint } from '../../src/cli/synthetic';
import { loadModel } from '../../src/model/loader';
import { nodeDirSource } from '../../src/model/sourceNode';
import { linearOf, LINEAR_NAMES, linearShapes } from '../../src/model/spec';
import { zeroFlags } from '../../src/model/weightArray';
import { GpuBlockExecutor } from '../../src/prune/gpuExecutor';
import { runPipeline } from '../../src/prune/pipeline';
import { WasmBlockExecutor } from '../../src/prune/wasmExecutor';
import { calibIds, microConfig } from '../unit/prune/engineFixture';
import { getRuntime } from './setup';

const tmp = mkdtempSync(join(tmpdir(), 'besa-gpu-shape-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('GPU memory on the SmolLM2-135M shape', () => {
  it('BESA on 2 blocks: the ledger peak is a few blocks of f32, the same for both blocks, and the masks equal the WASM run', async () => {
    const dir = join(tmp, 'smollm2');
    await writeSyntheticCheckpoint(dir, 'smollm2-135m', { layers: 2 });
    const m = await loadModel(nodeDirSource(dir));
    const rt = await getRuntime();
    const cfg = microConfig({ method: 'besa', nsamples: 2, seqlen: 16, sparsity: 0.5 });
    const ids = calibIds(m, cfg);
    const gpu = new GpuBlockExecutor(rt, m.spec);
    const peaks: number[] = [];
    const g = await runPipeline({
      model: m,
      config: cfg,
      calibrationIds: ids,
      executor: gpu,
      onEvent: (e) => e.type === 'memory' && peaks.push(e.peakBytes),
    });
    expect(g.status).toBe('completed');
    const blockF32 = Object.values(linearShapes(m.spec)).reduce((a, [o, i]) => a + 4 * o * i, 0);
    const activations = 4 * cfg.nsamples * cfg.seqlen * Math.max(m.spec.dim, m.spec.ffnDim) * 8;
    console.log(`GPU ledger peak ${(peaks[1] / 2 ** 20).toFixed(1)} MiB = ${(peaks[1] / blockF32).toFixed(2)} × one block's f32 weights`);
    expect(peaks).toHaveLength(2);
    // Per weight of the block the executor holds W, W⊙M, M, dL/dM and BESA's sort order (5 × 4 bytes),
    // plus the pruned block's weights for the chained forward and the prefix sums (rows × 101 candidates):
    // measured 6.49 × (it was 7.49 × while a third block's weights were uploaded before the eviction).
    expect(peaks[1]).toBeLessThanOrEqual(7 * blockF32 + activations);
    expect(peaks[1]).toBe(peaks[0]); // the peak is reached in block 0 already: block 1 adds nothing
    const w = await runPipeline({ model: m, config: cfg, calibrationIds: ids, executor: await WasmBlockExecutor.create(m.spec) });
    let differ = 0;
    let total = 0;
    for (let b = 0; b < 2; b++)
      for (const n of LINEAR_NAMES) {
        const [zg, zw] = [zeroFlags(linearOf(g.weights.blocks[b], n).w), zeroFlags(linearOf(w.weights.blocks[b], n).w)];
        for (let i = 0; i < zg.length; i++) differ += zg[i] !== zw[i] ? 1 : 0;
        total += zg.length;
      }
    console.log(`mask differences GPU vs WASM: ${differ} of ${total}`);
    expect(differ / total).toBeLessThan(1e-3); // f32 sums in another order may flip a few ties
    gpu.dispose();
  });
});
