// Shared fixture for the engine tests: the micro model (public/models/micro, 2 blocks, dim 32) and
// seeded calibration windows from the start of the SOTU calibration text.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleCalibration, tokenizeCorpus } from '../../../src/data/windows';
import { loadModel, type LoadedModel } from '../../../src/model/loader';
import { nodeDirSource } from '../../../src/model/sourceNode';
import { weightsToF32, type ModelWeights } from '../../../src/model/spec';
import { DEFAULT_RUN, type RunConfig } from '../../../src/prune/config';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const MICRO_DIR = join(ROOT, 'public/models/micro');

/** A loaded model whose matrices are all f32 (the shipped models are; tests index the arrays directly). */
export type F32Model = Omit<LoadedModel, 'weights'> & { weights: ModelWeights };

let cached: Promise<F32Model> | null = null;
export function loadMicro(): Promise<F32Model> {
  cached ??= loadModel(nodeDirSource(MICRO_DIR)).then((m) => ({ ...m, weights: weightsToF32(m.weights) }));
  return cached;
}

/** The first `chars` characters of a public/data text (enough for short calibration runs). */
export function dataText(name: string, chars = 40_000): string {
  return readFileSync(join(ROOT, 'public/data', name), 'utf8').slice(0, chars);
}

export function microConfig(over: Partial<RunConfig> = {}): RunConfig {
  return { ...DEFAULT_RUN, nsamples: 6, seqlen: 24, evalWindows: 2, ...over, besa: { ...DEFAULT_RUN.besa, ...(over.besa ?? {}) } };
}

export function calibIds(model: LoadedModel, cfg: RunConfig): Int32Array {
  const ids = tokenizeCorpus(model.tokenizer, dataText('sotu-calib.txt'));
  return sampleCalibration(ids, cfg.nsamples, cfg.seqlen, cfg.seed).ids;
}
