// GPT-2 on WebGPU (docs/gpt2.md §4): the GPU block executor against the CPU reference on the tiny HF
// fixture (forward with linear inputs, backward dX and dL/dM, prefix sums, one BESA block: same masks),
// and the GPU model forward, streamed evaluation and KV-cache decoder against transformers' logits and
// perplexity (tests/fixtures/gpt2-tiny, tools/make_gpt2_fixtures.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gpuIncrementalDecoder } from '../../src/gpu/decoder';
import { gpuForwardLogits } from '../../src/gpu/modelForward';
import { destroyModel, uploadModel } from '../../src/gpu/modelWeights';
import { gpuStreamedWindowLosses } from '../../src/gpu/streamedEval';
import { loadModel } from '../../src/model/loader';
import { nodeDirSource } from '../../src/model/sourceNode';
import { parseSafetensors } from '../../src/model/safetensors';
import { GpuBlockExecutor } from '../../src/prune/gpuExecutor';
import { CpuBlockExecutor } from '../../src/prune/executor';
import { runPipeline } from '../../src/prune/pipeline';
import { Rng } from '../../src/core/rng';
import { GPT2_LINEAR_NAMES, linearOf, weightsToF32 } from '../../src/model/spec';
import { expectClose } from '../support/close';
import { expectBesaBlockMatchesCpu, expectExecutorMatchesCpu } from '../support/executorParity';
import { microConfig, ROOT } from '../unit/prune/engineFixture';
import { getRuntime } from './setup';

const DIR = join(ROOT, 'tests/fixtures/gpt2-tiny');
const gold = parseSafetensors(new Uint8Array(readFileSync(join(DIR, 'golden.safetensors'))));
const goldJson = JSON.parse(readFileSync(join(DIR, 'golden.json'), 'utf8'));

describe('GPT-2 on the GPU (tiny HF fixture)', () => {
  it('block executor: forward, backward and BESA prefix sums match the CPU executor', async () => {
    const rt = await getRuntime();
    const { exec } = await expectExecutorMatchesCpu((m) => new GpuBlockExecutor(rt, m.spec), 'gpt2-tiny');
    (exec as GpuBlockExecutor).dispose();
  });

  it('a BESA block trained on the GPU equals the CPU reference (losses, sparsities, θ, final masks)', async () => {
    const rt = await getRuntime();
    await expectBesaBlockMatchesCpu((m) => new GpuBlockExecutor(rt, m.spec), 'gpt2-tiny');
  });

  it('whole pipeline on the GPU (batched dense/pruned passes, BESA step) lands where the CPU run lands; Wanda masks identical', async () => {
    const rt = await getRuntime();
    const m = await loadModel(nodeDirSource(DIR), { tokenizerOptional: true });
    const rng = new Rng(3);
    for (const method of ['wanda', 'besa'] as const) {
      const cfg = microConfig({ method, nsamples: 4, seqlen: 24 });
      const ids = Int32Array.from({ length: cfg.nsamples * cfg.seqlen }, () => rng.int(m.spec.vocabSize));
      const gpu = new GpuBlockExecutor(rt, m.spec);
      const g = await runPipeline({ model: m, config: cfg, calibrationIds: ids, executor: gpu });
      gpu.dispose();
      const c = await runPipeline({ model: m, config: cfg, calibrationIds: ids, executor: new CpuBlockExecutor(m.spec) });
      expect(g.status).toBe('completed');
      g.blocks.forEach((b, i) => {
        expect(Math.abs(b.lossAfter - c.blocks[i].lossAfter), `${method} block ${i} loss`).toBeLessThan(
          1e-3 * c.blocks[i].lossAfter + 1e-7,
        );
        expect(Math.abs(b.blockSparsity - c.blocks[i].blockSparsity)).toBeLessThan(2e-3);
      });
      if (method === 'wanda') {
        const [wg, wc] = [weightsToF32(g.weights), weightsToF32(c.weights)];
        wg.blocks.forEach((b, i) =>
          GPT2_LINEAR_NAMES.forEach((n) => expect(linearOf(b, n).w, `block ${i} ${n}`).toEqual(linearOf(wc.blocks[i], n).w)),
        );
      }
    }
  });

  it('model forward (positions, ln_f, tied head), streamed perplexity and KV-cache decoding match transformers', async () => {
    const rt = await getRuntime();
    const m = await loadModel(nodeDirSource(DIR), { tokenizerOptional: true });
    const g = uploadModel(rt, m.spec, m.weights);
    const forward = gpuForwardLogits(rt, g);
    for (const T of [17, 64]) {
      const ids = Int32Array.from(goldJson[`ids.seq${T}`] as number[]);
      expectClose(await forward(ids), gold.f32(`logits.seq${T}`), { atol: 5e-5, rtol: 1e-4, what: `logits.seq${T}` });
    }
    const p = goldJson.ppl;
    const windows = Array.from({ length: p.windows }, (_, w) => Int32Array.from(p.ids.slice(w * p.seqlen, (w + 1) * p.seqlen)));
    const losses = await gpuStreamedWindowLosses(rt, m.spec, m.weights, windows);
    losses.forEach((l, w) => expect(Math.abs(l - p.window_nll[w])).toBeLessThan(2e-5));
    // decoding token by token (positions added at each step) gives the full forward's last row
    const ids = Int32Array.from(goldJson['ids.seq17'] as number[]);
    const dec = gpuIncrementalDecoder(rt, g);
    const full = gold.f32('logits.seq17');
    const V = m.spec.vocabSize;
    for (let t = 1; t <= ids.length; t++) {
      const row = await dec(ids.subarray(0, t));
      expectClose(row, full.subarray((t - 1) * V, t * V), { atol: 5e-5, rtol: 1e-4, what: `decoder row ${t - 1}` });
    }
    expect(dec.stats.steps).toBe(16);
    dec.dispose();
    destroyModel(rt, g);
  });
});
