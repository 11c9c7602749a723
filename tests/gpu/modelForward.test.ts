import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenizeCorpus } from '../../src/data/windows';
import { gpuPerplexity } from '../../src/eval/gpuPerplexity';
import { perplexity } from '../../src/eval/perplexity';
import { gpuForwardLogits, gpuTokenNll } from '../../src/gpu/modelForward';
import { destroyModel, uploadModel } from '../../src/gpu/modelWeights';
import { cpuForwardLogits, forwardCpu } from '../../src/model/forward';
import { loadModel } from '../../src/model/loader';
import { nodeDirSource } from '../../src/model/sourceNode';
import { randomWeights, tinyModelSpec } from '../support/specs';
import { getRuntime } from './setup';
import { expectClose } from '../support/close';

const ROOT = resolve(__dirname, '../..');

describe('GPU model forward vs the CPU forward (src/model/forward.ts)', () => {
  it('micro model: spec §5 perplexity on sotu-eval windows equals the CPU reference (rel 1e-4)', async () => {
    const rt = await getRuntime();
    const m = await loadModel(nodeDirSource(join(ROOT, 'public/models/micro')));
    // a prefix of the eval text is enough for a few 128-token windows (the full protocol takes minutes on CPU)
    const text = readFileSync(join(ROOT, 'public/data/sotu-eval.txt'), 'utf8').slice(0, 6000);
    const ids = tokenizeCorpus(m.tokenizer, text);
    const seqlen = 128; // the micro model's eval.json seqlen
    const maxWindows = 4;
    expect(Math.floor(ids.length / seqlen)).toBeGreaterThanOrEqual(maxWindows);
    const g = uploadModel(rt, m.spec, m.weights);
    const opts = { dataset: 'sotu-eval', maxWindows };
    const cpu = await perplexity(ids, seqlen, m.spec.vocabSize, cpuForwardLogits(m.spec, m.weights), opts);
    const gpu = await rt.validated('gpuPerplexity', () => gpuPerplexity(rt, g, ids, seqlen, opts));
    const viaLogits = await perplexity(ids, seqlen, m.spec.vocabSize, gpuForwardLogits(rt, g), opts);
    const rel = Math.abs(gpu.ppl - cpu.ppl) / cpu.ppl;
    console.log(
      `micro sotu-eval ${gpu.windows} windows × ${seqlen}: CPU ppl ${cpu.ppl.toFixed(6)}, GPU ppl ${gpu.ppl.toFixed(6)} (rel ${rel.toExponential(2)}), GPU logits → CPU CE ${viaLogits.ppl.toFixed(6)}`,
    );
    expect(rel).toBeLessThan(1e-4);
    expect(Math.abs(viaLogits.ppl - cpu.ppl) / cpu.ppl).toBeLessThan(1e-4);
    expect(gpu).toMatchObject({ windows: cpu.windows, seqlen, tokens: ids.length, truncated: true, dataset: 'sotu-eval' });
    expectClose(gpu.windowLosses, cpu.windowLosses, { atol: 0, rtol: 1e-4, what: 'window losses' });
    // a trained model: far better than uniform (ppl 384), in the range of eval.json's 23.3
    expect(gpu.ppl).toBeGreaterThan(5);
    expect(gpu.ppl).toBeLessThan(100);

    // logits of one window, element-wise
    const w = ids.subarray(0, seqlen);
    const ref = forwardCpu(m.spec, m.weights, w);
    const got = await gpuForwardLogits(rt, g)(w);
    const r = expectClose(got, ref, { atol: 2e-4, rtol: 1e-4, what: 'micro logits' });
    console.log(`micro logits max|Δ| ${r.maxAbs.toExponential(2)}`);
    destroyModel(rt, g);
  });

  for (const name of ['sotu-llama-3m', 'sotu-gpt2-3m'])
    it(`${name} (bundled): GPU perplexity on SOTU-eval and WikiText-2 windows equals the CPU reference (rel 1e-4)`, async () => {
      const rt = await getRuntime();
      const m = await loadModel(nodeDirSource(join(ROOT, 'public/models', name)));
      const g = uploadModel(rt, m.spec, m.weights);
      const seqlen = 256; // the default model's eval.json seqlen
      for (const [dataset, file] of [
        ['sotu-eval', 'sotu-eval.txt'],
        ['wikitext2-test', 'wikitext2-test.txt'],
      ]) {
        const ids = tokenizeCorpus(m.tokenizer, readFileSync(join(ROOT, 'public/data', file), 'utf8').slice(0, 8000));
        const opts = { dataset, maxWindows: 2 };
        expect(Math.floor(ids.length / seqlen)).toBeGreaterThanOrEqual(2);
        const cpu = await perplexity(ids, seqlen, m.spec.vocabSize, cpuForwardLogits(m.spec, m.weights), opts);
        const gpu = await rt.validated('gpuPerplexity', () => gpuPerplexity(rt, g, ids, seqlen, opts));
        console.log(
          `${name} ${dataset} 2 windows × 256: CPU ppl ${cpu.ppl.toFixed(6)}, GPU ppl ${gpu.ppl.toFixed(6)} (rel ${(Math.abs(gpu.ppl - cpu.ppl) / cpu.ppl).toExponential(2)})`,
        );
        expect(gpu.windows).toBe(2);
        expect(Math.abs(gpu.ppl - cpu.ppl) / cpu.ppl).toBeLessThan(1e-4);
      }
      destroyModel(rt, g);
    });

  it('tiny random model (tied embeddings, qkv bias, interleaved RoPE, MQA): chunked vocabulary gives the same NLL', async () => {
    const rt = await getRuntime();
    const spec = tinyModelSpec({
      tiedEmbeddings: true,
      qkvBias: true,
      ropeLayout: 'interleaved',
      nHeads: 3,
      nKvHeads: 1,
      headDim: 8,
      dim: 20,
      vocabSize: 251,
    });
    const weights = randomWeights(spec, 5);
    expect(weights.lmHead).toBe(weights.embed);
    const ids = Int32Array.from({ length: 37 }, (_, i) => (i * 97 + 13) % spec.vocabSize);
    // table chunks of 60 rows and LM-head steps of 23 columns (neither divides 251)
    const g = uploadModel(rt, spec, weights, { vocabChunkRows: 60 });
    expect(g.head).toBe(g.embed);
    expect(g.embed.chunks.length).toBe(5);
    const nll = await gpuTokenNll(rt, g, ids, { cols: 23 });
    const logits = forwardCpu(spec, weights, ids);
    const V = spec.vocabSize;
    const ref = new Float64Array(ids.length);
    for (let t = 0; t < ids.length - 1; t++) {
      let mx = -Infinity;
      for (let v = 0; v < V; v++) mx = Math.max(mx, logits[t * V + v]);
      let s = 0;
      for (let v = 0; v < V; v++) s += Math.exp(logits[t * V + v] - mx);
      ref[t] = mx + Math.log(s) - logits[t * V + ids[t + 1]];
    }
    const r = expectClose(nll, ref, { atol: 1e-4, rtol: 1e-4, what: 'tiny nll' });
    console.log(`tiny model nll max|Δ| ${r.maxAbs.toExponential(2)}`);
    await expect(gpuTokenNll(rt, g, [0, V])).rejects.toThrow(/outside the vocabulary/);
    destroyModel(rt, g);
  });
});
