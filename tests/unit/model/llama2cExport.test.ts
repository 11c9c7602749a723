// A pruned llama2.c model's export loads back (issue #11): the studio's export of a llama2.c model is a
// .bin of the same layout plus its tokenizer.bin (src/worker/outputs.ts exportModelFiles); the loader
// reads it back with every pruned zero in place and every kept weight unchanged.
import { describe, expect, it } from 'vitest';
import { writeLlama2c } from '../../../src/model/llama2c';
import { writeLlama2cTokenizer } from '../../../src/model/llama2cTokenizer';
import { loadModel } from '../../../src/model/loader';
import { memorySource } from '../../../src/model/sources';
import { linearOf, LINEAR_NAMES, weightsToF32 } from '../../../src/model/spec';
import { Rng } from '../../../src/core/rng';
import { DEFAULT_RUN } from '../../../src/prune/config';
import { CpuBlockExecutor } from '../../../src/prune/executor';
import { runPipeline } from '../../../src/prune/pipeline';
import { exportModelFiles } from '../../../src/worker/outputs';
import type { JobResult } from '../../../src/worker/job';
import { spmLlama2cPieces } from './helpers';
import { randomWeights, SPEC_SHAPES, tinyModelSpec } from '../../support/specs';

describe('llama2.c export', () => {
  it('a Wanda-pruned llama2.c model exported by the studio loads back with the zeros in place', async () => {
    const spec = tinyModelSpec(SPEC_SHAPES.llama2c);
    const tok = writeLlama2cTokenizer(spmLlama2cPieces());
    const source = memorySource('l2c', { 'model.bin': writeLlama2c(spec, randomWeights(spec, 7)), 'tokenizer.bin': tok });
    const m = await loadModel(source);
    const cfg = { ...DEFAULT_RUN, method: 'wanda' as const, nsamples: 2, seqlen: 12, sparsity: 0.5 };
    const rng = new Rng(3);
    const ids = Int32Array.from({ length: 24 }, () => rng.int(m.spec.vocabSize));
    const r = await runPipeline({ model: m, config: cfg, calibrationIds: ids, executor: new CpuBlockExecutor(m.spec) });
    const files = await exportModelFiles(m, source, { weights: r.weights, completedBlocks: r.completedBlocks } as JobResult); // the .bin branch reads only these
    expect(Object.keys(files).sort()).toEqual(['model.bin', 'tokenizer.bin']);
    const back = await loadModel(memorySource('back', files));
    expect(back.format).toBe('llama2c');
    expect(back.spec).toEqual(m.spec);
    const [a, b] = [weightsToF32(r.weights), weightsToF32(back.weights)];
    let zeros = 0;
    for (let i = 0; i < spec.nLayers; i++)
      for (const n of LINEAR_NAMES) {
        expect(linearOf(b.blocks[i], n).w).toEqual(linearOf(a.blocks[i], n).w);
        zeros += linearOf(a.blocks[i], n).w.filter((v) => v === 0).length;
      }
    expect(zeros).toBeGreaterThan(0);
  });
});
