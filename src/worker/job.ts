// One pruning run inside the Worker (architecture.md data flow): calibration windows → dense
// perplexity → runPipeline (the engine's block loop, fed by our pause controller and the IndexedDB
// checkpoint store) → pruned perplexity → run report. Everything the page learns about the run goes
// out as EngineEvents through `emit` (the pipeline's own events plus run-start/phase/perplexity/run-end,
// which the pipeline leaves to its host).
import { sampleCalibration, tokenizeCorpus } from '../data/windows';
import { perplexity } from '../eval/perplexity';
import type { LoadedModel } from '../model/loader';
import { cpuForwardLogits, type ForwardLogits } from '../model/forward';
import type { ModelWeights } from '../model/spec';
import type { RunConfig } from '../prune/config';
import type { EngineEvent } from '../prune/events';
import { CpuBlockExecutor, type BlockExecutor } from '../prune/executor';
import { runPipeline } from '../prune/pipeline';
import { buildReport, countParams, type ReportPerplexity, type RunReport } from '../prune/report';
import { checkRunConfig } from '../prune/runConfigCheck';
import { yieldToEventLoop, type StudioController } from './controller';
import { IdbCheckpointStore } from './idbCheckpoint';

export interface JobResult {
  runId: string;
  label: string;
  status: RunReport['status'];
  weights: ModelWeights;
  report: RunReport;
  /** Blocks 0 … completedBlocks−1 are pruned in `weights`. */
  completedBlocks: number;
}

export interface JobInput {
  model: LoadedModel;
  config: RunConfig;
  label: string;
  resume: boolean;
  controller: StudioController;
  signal: AbortSignal;
  emit: (e: EngineEvent) => void;
  /** Called with each block's pruned linears as soon as it is committed (mask view mid-run). */
  onBlockSaved?: (block: number, w: Record<string, Float32Array>) => void;
}

export class DataFetchError extends Error {
  constructor(name: string, detail: string) {
    super(`dataset "${name}": ${detail}. The studio reads public/data/<name>.txt; pick one of sotu-calib, sotu-eval, wikitext2-test.`);
    this.name = 'DataFetchError';
  }
}

const textCache = new Map<string, Promise<string>>();
const idsCache = new Map<string, Int32Array>();
const densePplCache = new Map<string, ReportPerplexity>();

async function fetchText(name: string): Promise<string> {
  let p = textCache.get(name);
  if (!p) {
    const url = new URL(`${import.meta.env.BASE_URL}data/${encodeURIComponent(name)}.txt`, self.location.origin);
    p = fetch(url).then(async (r) => {
      if (!r.ok) throw new DataFetchError(name, `the server answered ${r.status}`);
      if ((r.headers.get('content-type') ?? '').includes('text/html')) throw new DataFetchError(name, 'no such file (the server returned the app page)');
      return r.text();
    });
    textCache.set(name, p);
    p.catch(() => textCache.delete(name));
  }
  return p;
}

/** The corpus as one tokenised stream (spec §5: no BOS), cached per model tokenizer. */
export async function corpusIds(model: LoadedModel, name: string): Promise<Int32Array> {
  const key = `${model.weightsSha256}:${name}`;
  let ids = idsCache.get(key);
  if (!ids) {
    ids = tokenizeCorpus(model.tokenizer, await fetchText(name));
    idsCache.set(key, ids);
  }
  return ids;
}

/** Eval window length: the model's context, capped so a browser eval stays interactive. */
export const evalSeqlenOf = (model: LoadedModel) => Math.min(model.spec.maxSeqLen, 256);

async function evalAll(model: LoadedModel, weights: ModelWeights, cfg: RunConfig, stage: 'dense' | 'pruned', emit: JobInput['emit'], signal: AbortSignal): Promise<ReportPerplexity[]> {
  const seqlen = evalSeqlenOf(model);
  const out: ReportPerplexity[] = [];
  for (const ds of cfg.evalDatasets) {
    if (signal.aborted) break;
    await yieldToEventLoop();
    const cacheKey = `${model.weightsSha256}:${ds}:${seqlen}:${cfg.evalWindows}`;
    const cached = stage === 'dense' ? densePplCache.get(cacheKey) : undefined;
    let r: ReportPerplexity;
    if (cached) r = cached;
    else {
      const ids = await corpusIds(model, ds);
      const res = await perplexity(ids, seqlen, model.spec.vocabSize, yielding(cpuForwardLogits(model.spec, weights)), {
        dataset: ds,
        maxWindows: cfg.evalWindows > 0 ? cfg.evalWindows : undefined,
        onWindow: (d, t) => {
          if (d % 4 === 0 || d === t) emit({ type: 'progress', done: d, total: t, label: `${stage} perplexity on ${ds}: window ${d}/${t}` });
        },
      });
      r = { dataset: ds, ppl: res.ppl, windows: res.windows, seqlen: res.seqlen, tokens: res.tokens, truncated: res.truncated };
      if (stage === 'dense') densePplCache.set(cacheKey, r);
    }
    emit({ type: 'perplexity', stage, result: { dataset: r.dataset, ppl: r.ppl, windows: r.windows, seqlen: r.seqlen, tokens: r.tokens } });
    out.push(r);
  }
  return out;
}

/** A forward that gives the Worker's event loop a turn per window (cancel stays responsive). */
const yielding =
  (f: ForwardLogits): ForwardLogits =>
  async (ids) => {
    await yieldToEventLoop();
    return f(ids);
  };

export async function runJob(j: JobInput): Promise<JobResult> {
  const { model, config: cfg, emit, signal } = j;
  const t0 = performance.now();
  const runId = `${cfg.method}-${Date.now().toString(36)}`;
  // Until a GPU BlockExecutor lands in src/prune or src/gpu, the engine's CPU reference executor runs
  // the block loop — inside this Worker, so the page stays responsive.
  const exec: BlockExecutor = new CpuBlockExecutor(model.spec);
  const checkpoint = new IdbCheckpointStore({ modelSha256: model.weightsSha256, modelName: model.name, config: cfg });
  checkRunConfig(cfg, model.spec); // throws RunConfigError with the fix before any work
  const resumeFrom = j.resume ? await checkpoint.load() : null;
  const startBlock = resumeFrom?.completed ?? 0;
  emit({ type: 'run-start', runId, config: cfg, model: { name: model.name, sha256: model.weightsSha256, nLayers: model.spec.nLayers, params: countParams(model.spec, model.weights) }, adapter: exec.adapter, startBlock });
  let dense: ReportPerplexity[] = [];
  let pruned: ReportPerplexity[] = [];
  let evalSeconds = 0;
  const finish = (status: RunReport['status'], weights: ModelWeights, blocks: Parameters<typeof buildReport>[0]['blocks'], completed: number, pruneSeconds: number, error?: string): JobResult => {
    const wall = (performance.now() - t0) / 1000;
    const report = buildReport({
      runId, status, model, config: cfg, calibrationTokens: cfg.nsamples * cfg.seqlen, evalSeqlen: evalSeqlenOf(model), evalDatasets: cfg.evalDatasets,
      startBlock, completedBlocks: completed, blocks, dense, pruned, wallSeconds: wall, pruneSeconds, evalSeconds,
      executor: exec.kind, adapter: exec.adapter, peakGpuBytes: exec.memory?.().peakBytes ?? null, ...(error ? { error } : {}),
    });
    emit({ type: 'phase', phase: 'done' });
    emit({ type: 'run-end', status, seconds: wall, achievedSparsity: report.achievedSparsity, ...(error ? { error } : {}) });
    return { runId, label: j.label, status, weights, report, completedBlocks: completed };
  };

  emit({ type: 'phase', phase: 'calibration', detail: `${cfg.nsamples} × ${cfg.seqlen} tokens from ${cfg.calibration}, seed ${cfg.seed}` });
  const calib = sampleCalibration(await corpusIds(model, cfg.calibration), cfg.nsamples, cfg.seqlen, cfg.seed);
  emit({ type: 'phase', phase: 'dense-eval' });
  let te = performance.now();
  dense = await evalAll(model, model.weights, cfg, 'dense', emit, signal);
  evalSeconds += (performance.now() - te) / 1000;
  if (signal.aborted) return finish('cancelled', model.weights, resumeFrom?.summaries ?? [], startBlock, 0);

  emit({ type: 'phase', phase: 'pruning' });
  const tp = performance.now();
  const res = await runPipeline({
    model,
    config: cfg,
    calibrationIds: calib.ids,
    executor: exec,
    onEvent: emit,
    signal,
    controller: j.controller,
    checkpoint: {
      saveBlock: async (cp) => {
        j.onBlockSaved?.(cp.block, cp.weights);
        await checkpoint.saveBlock(cp);
      },
      load: () => checkpoint.load(),
      clear: () => checkpoint.clear(),
    },
    resume: j.resume,
    resumeFrom,
  });
  const pruneSeconds = (performance.now() - tp) / 1000;
  if (res.status === 'cancelled') return finish('cancelled', res.weights, res.blocks, res.completedBlocks, pruneSeconds);
  await checkpoint.clear(); // the run is complete: nothing left to resume
  emit({ type: 'phase', phase: 'pruned-eval' });
  te = performance.now();
  pruned = await evalAll(model, res.weights, cfg, 'pruned', emit, signal);
  evalSeconds += (performance.now() - te) / 1000;
  return finish('completed', res.weights, res.blocks, res.completedBlocks, pruneSeconds);
}
