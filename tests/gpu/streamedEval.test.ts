// Perplexity with the model streamed through the device one block at a time (src/gpu/streamedEval.ts):
// the same window losses as the whole-model GPU path and the CPU reference, with several chunks of windows
// too, and a ledger peak that holds one block's weights instead of all of them (issue #11).
import { describe, expect, it } from 'vitest';
import { perplexity } from '../../src/eval/perplexity';
import { gpuForwardLogits } from '../../src/gpu/modelForward';
import { destroyModel, uploadModel } from '../../src/gpu/modelWeights';
import { gpuStreamedWindowLosses } from '../../src/gpu/streamedEval';
import { cpuForwardLogits } from '../../src/model/forward';
import { LINEAR_NAMES, linearShapes } from '../../src/model/spec';
import { createGpuEngine } from '../../src/prune/gpuEngine';
import { Rng } from '../../src/core/rng';
import { randomWeights, tinyModelSpec } from '../support/specs';
import { expectClose } from '../support/close';
import { getRuntime } from './setup';

const spec = tinyModelSpec({ nLayers: 6, maxSeqLen: 40 });
const weights = randomWeights(spec, 3);
const T = 33; // not a tile multiple
const rng = new Rng(9);
const ids = Int32Array.from({ length: 7 * T + 5 }, () => rng.int(spec.vocabSize));

describe('streamed GPU perplexity', () => {
  it('equals the CPU reference and the whole-model GPU path, in one chunk and in several', async () => {
    const rt = await getRuntime();
    const opts = { dataset: 'random' };
    const cpu = await perplexity(ids, T, spec.vocabSize, cpuForwardLogits(spec, weights), opts);
    const engine = createGpuEngine(rt, spec);
    const streamed = await rt.validated('streamed', () => perplexity(ids, T, spec.vocabSize, engine.forwardFactory(spec, weights), opts));
    expect(streamed.windows).toBe(7);
    expectClose(streamed.windowLosses, cpu.windowLosses, { atol: 0, rtol: 1e-4, what: 'streamed vs CPU window losses' });
    const g = uploadModel(rt, spec, weights);
    const whole = await perplexity(ids, T, spec.vocabSize, gpuForwardLogits(rt, g), opts);
    destroyModel(rt, g);
    expectClose(streamed.windowLosses, whole.windowLosses, { atol: 0, rtol: 1e-4, what: 'streamed vs whole-model GPU' });
    // a budget of two windows' residual streams: 4 chunks, the blocks uploaded once per chunk
    const wins = Array.from({ length: 7 }, (_, w) => ids.subarray(w * T, (w + 1) * T));
    const seen: number[] = [];
    const chunked = await gpuStreamedWindowLosses(rt, spec, weights, wins, {
      budgetBytes: 2 * T * spec.dim * 4,
      onWindow: (done) => seen.push(done),
    });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expectClose(chunked, streamed.windowLosses, { atol: 0, rtol: 1e-6, what: 'chunked vs one chunk' });
    engine.dispose();
  });

  it('holds one block on the device at a time: the peak stays below the whole model’s weights', async () => {
    const rt = await getRuntime();
    // blocks that outweigh the tables and the activations, as in a real model
    const spec = tinyModelSpec({ nLayers: 6, vocabSize: 64, dim: 64, headDim: 16, ffnDim: 176, maxSeqLen: 40 });
    const weights = randomWeights(spec, 4);
    const ids = Int32Array.from({ length: 4 * T }, () => rng.int(spec.vocabSize));
    const shapes = linearShapes(spec);
    const blockBytes = 4 * LINEAR_NAMES.reduce((a, n) => a + shapes[n][0] * shapes[n][1], 0);
    const wins = Array.from({ length: 4 }, (_, w) => ids.subarray(w * T, (w + 1) * T));
    const base = rt.ledger.snapshot().liveBytes;
    rt.ledger.resetPeak();
    await gpuStreamedWindowLosses(rt, spec, weights, wins);
    const streamedPeak = rt.ledger.snapshot().peakBytes - base;
    expect(rt.ledger.snapshot().liveBytes).toBe(base); // everything it allocated is freed
    rt.ledger.resetPeak();
    const g = uploadModel(rt, spec, weights);
    for (const w of wins) await gpuForwardLogits(rt, g)(w);
    destroyModel(rt, g);
    const wholePeak = rt.ledger.snapshot().peakBytes - base;
    console.log(`peak GPU bytes: streamed ${streamedPeak}, whole model ${wholePeak}, one block ${blockBytes}`);
    // the whole path holds all 6 blocks; the streamed one a single block (plus tables, streams and workspace)
    expect(wholePeak - streamedPeak).toBeGreaterThan(4.5 * blockBytes);
    // = one block + what the whole path holds besides its blocks (tables, workspace) + the windows' streams
    const streams = wins.length * T * spec.dim * 4;
    expect(streamedPeak).toBeLessThanOrEqual(blockBytes + (wholePeak - 6 * blockBytes) + streams);
  });
});
