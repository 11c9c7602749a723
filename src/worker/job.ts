// One pruning run inside the Worker: fetch the texts, then the engine's runPruneJob (calibration →
// dense perplexity → block loop → pruned perplexity → report) on the WebGPU block executor, with our
// pause controller and the IndexedDB checkpoint store. Every EngineEvent goes straight to the page.
import type { LoadedModel } from '../model/loader';
import type { StoredWeights } from '../model/spec';
import type { RunConfig } from '../prune/config';
import type { EngineEvent } from '../prune/events';
import type { GpuEngine } from '../prune/gpuEngine';
import { runPruneJob, type Corpus } from '../prune/job';
import type { ReportPerplexity, RunReport } from '../prune/report';
import { checkRunConfig } from '../prune/runConfigCheck';
import type { RunController } from '../prune/controller';
import { IdbCheckpointStore } from './idbCheckpoint';

export interface JobResult {
  runId: string;
  label: string;
  status: RunReport['status'];
  weights: StoredWeights;
  report: RunReport;
  /** Blocks 0 … completedBlocks−1 are pruned in `weights`. */
  completedBlocks: number;
}

export interface JobInput {
  model: LoadedModel;
  engine: GpuEngine;
  config: RunConfig;
  label: string;
  resume: boolean;
  controller: RunController;
  signal: AbortSignal;
  emit: (e: EngineEvent) => void;
  /** Called with each block's pruned linears as soon as it is committed (mask view mid-run). */
  onBlockSaved?: (block: number, w: Record<string, Float32Array>) => void;
}

export class DataFetchError extends Error {
  constructor(name: string, detail: string) {
    super(`dataset "${name}": ${detail}. The studio reads public/data/<name>.txt; use one of sotu-calib, sotu-eval, wikitext2-test.`);
    this.name = 'DataFetchError';
  }
}

const textCache = new Map<string, Promise<string>>();
const densePplCache = new Map<string, ReportPerplexity[]>();

async function fetchText(name: string): Promise<string> {
  let p = textCache.get(name);
  if (!p) {
    const url = new URL(`${import.meta.env.BASE_URL}data/${encodeURIComponent(name)}.txt`, self.location.origin);
    p = fetch(url).then(async (r) => {
      if (!r.ok) throw new DataFetchError(name, `the server answered ${r.status}`);
      if ((r.headers.get('content-type') ?? '').includes('text/html'))
        throw new DataFetchError(name, 'no such file (the server returned the app page)');
      return r.text();
    });
    textCache.set(name, p);
    p.catch(() => textCache.delete(name));
  }
  return p;
}

/** Eval window length: the model's context, capped so a browser eval stays interactive. */
export const evalSeqlenOf = (model: LoadedModel) => Math.min(model.spec.maxSeqLen, 256);

export async function runJob(j: JobInput): Promise<JobResult> {
  const { model, config: cfg } = j;
  checkRunConfig(cfg, model.spec); // RunConfigError with the fix, before any work
  const calibration: Corpus = { id: cfg.calibration, text: await fetchText(cfg.calibration) };
  const evalData: Corpus[] = [];
  for (const id of cfg.evalDatasets) evalData.push({ id, text: await fetchText(id) });
  const evalSeqlen = evalSeqlenOf(model);
  // Dense perplexity depends only on the model and the eval protocol: measure it once per session.
  const denseKey = `${model.weightsSha256}|${cfg.evalDatasets.join(',')}|${evalSeqlen}|${cfg.evalWindows}`;
  const store = new IdbCheckpointStore({ modelSha256: model.weightsSha256, modelName: model.name, config: cfg });
  const executor = j.engine.newExecutor();
  try {
    const res = await runPruneJob({
      model,
      config: cfg,
      calibration,
      evalData,
      evalSeqlen,
      densePerplexity: densePplCache.get(denseKey),
      executor,
      forwardFactory: j.engine.forwardFactory,
      onEvent: j.emit,
      signal: j.signal,
      controller: j.controller,
      checkpoint: {
        saveBlock: async (cp) => {
          j.onBlockSaved?.(cp.block, cp.weights);
          await store.saveBlock(cp);
        },
        savePartial: (cp) => store.savePartial(cp),
        load: () => store.load(),
        clear: () => store.clear(),
      },
      resume: j.resume,
    });
    if (res.report.perplexity.dense.length) densePplCache.set(denseKey, res.report.perplexity.dense);
    if (res.status === 'completed') await store.clear(); // nothing left to resume
    return {
      runId: res.report.runId,
      label: j.label,
      status: res.status,
      weights: res.weights,
      report: res.report,
      completedBlocks: res.pipeline.completedBlocks,
    };
  } finally {
    executor.dispose?.();
  }
}
