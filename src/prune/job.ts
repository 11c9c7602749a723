// runPruneJob: the one call behind "Prune" in the studio's Web Worker and `npm run prune`:
//   calibration sampling → dense perplexity → pipeline (block loop) → pruned perplexity → report.
// Everything is streamed as EngineEvents; pause/step via `controller`, cancel via `signal`,
// resume via `checkpoint` + `resume`. Nothing here touches the DOM or Node APIs.
// In a Web Worker (functions cannot cross postMessage, so the Worker builds them):
//   const model = await loadModel(urlSource('/models/sotu-llama-3m/'));
//   const rt = new GpuRuntime(await acquireDevice());            // or CpuBlockExecutor for no WebGPU
//   const { executor, forwardFactory } = createGpuEngine(rt, model.spec);
//   const ctl = new RunController(); const ac = new AbortController();   // messages → ctl.pause()/stepOnce()/stepBlock()/resume(), ac.abort()
//   const res = await runPruneJob({ model, config, calibration: { id: 'sotu-calib', text }, evalData,
//     executor, forwardFactory, controller: ctl, signal: ac.signal, checkpoint: myIdbStore, resume,
//     onEvent: (e) => postMessage(e) });                          // EngineEvents are plain, cloneable objects
//   res.weights → exportHfFiles(model.spec, res.weights, …) for download; res.report → report JSON.
import { sampleCalibration, tokenizeCorpus } from '../data/windows';
import { perplexity } from '../eval/perplexity';
import { cpuForwardLogits, type ForwardLogits } from '../model/forward';
import type { ModelSpec, StoredWeights } from '../model/spec';
import type { Tokenizer } from '../model/tokenizer';
import type { CheckpointStore } from './checkpoint';
import type { RunConfig } from './config';
import type { PruneControl } from './controller';
import type { EngineEvent, EngineEventListener } from './events';
import { CpuBlockExecutor, type BlockExecutor } from './executor';
import { runPipeline, type PipelineResult, type PrunableModel } from './pipeline';
import { storedBytes } from '../model/export';
import { StepTraceRecorder } from './reportTrace';
import { buildReport, countParams, type ReportPerplexity, type RunReport } from './report';

/** A corpus given as text (tokenised here with the model's tokenizer) or as token ids. */
export type Corpus = { id: string; text: string } | { id: string; ids: Int32Array };

export interface PruneJob {
  model: PrunableModel & { tokenizer: Tokenizer };
  config: RunConfig;
  /** Calibration corpus; nsamples windows of seqlen are drawn from it with config.seed (docs/besa.md §5). */
  calibration: Corpus;
  /** Evaluation corpora (perplexity before/after, docs/besa.md §5). Empty/absent = no evaluation. */
  evalData?: Corpus[];
  /** Eval window length; default config.seqlen. */
  evalSeqlen?: number;
  /** Skip the dense evaluation (e.g. compare runs it once for all methods). */
  skipDenseEval?: boolean;
  /** Dense perplexities already measured (reused instead of evaluating again). */
  densePerplexity?: ReportPerplexity[];
  /** Default: CPU reference executor. */
  executor?: BlockExecutor;
  /** Logits function for evaluation; default CPU forward (pass gpuPerplexity's forward when available). */
  forwardFactory?: (spec: ModelSpec, weights: StoredWeights) => ForwardLogits;
  onEvent?: EngineEventListener;
  signal?: AbortSignal;
  controller?: PruneControl;
  checkpoint?: CheckpointStore;
  resume?: boolean;
  /** Steps between saves of a learned block in progress (runPipeline's checkpointEvery). */
  checkpointEvery?: number;
  runId?: string;
}

export interface PruneJobResult {
  status: 'completed' | 'cancelled';
  /** The pruned model (finished blocks pruned; the rest shared with the input, never mutated). */
  weights: StoredWeights;
  report: RunReport;
  pipeline: PipelineResult;
}

const idsOf = (c: Corpus, tok: Tokenizer): Int32Array => ('ids' in c ? c.ids : tokenizeCorpus(tok, c.text));

export async function evaluateAll(
  data: Corpus[],
  tok: Tokenizer,
  seqlen: number,
  vocabSize: number,
  forward: ForwardLogits,
  maxWindows: number,
  stage: 'dense' | 'pruned',
  emit: (e: EngineEvent) => void,
): Promise<ReportPerplexity[]> {
  const out: ReportPerplexity[] = [];
  for (const c of data) {
    const r = await perplexity(idsOf(c, tok), seqlen, vocabSize, forward, {
      dataset: c.id,
      maxWindows: maxWindows > 0 ? maxWindows : undefined,
      onWindow: (done, total) =>
        emit({ type: 'progress', done, total, label: `${stage} perplexity on ${c.id}: window ${done} of ${total}` }),
    });
    const res: ReportPerplexity = {
      dataset: c.id,
      ppl: r.ppl,
      windows: r.windows,
      seqlen: r.seqlen,
      tokens: r.tokens,
      truncated: r.truncated,
    };
    emit({
      type: 'perplexity',
      stage,
      result: { dataset: res.dataset, ppl: res.ppl, windows: res.windows, seqlen: res.seqlen, tokens: res.tokens },
    });
    out.push(res);
  }
  return out;
}

export async function runPruneJob(job: PruneJob): Promise<PruneJobResult> {
  const t0 = performance.now();
  const { model, config: cfg } = job;
  const emit = (e: EngineEvent) => job.onEvent?.(e);
  const exec: BlockExecutor = job.executor ?? new CpuBlockExecutor(model.spec);
  const forwardFactory = job.forwardFactory ?? cpuForwardLogits;
  const runId = job.runId ?? `${cfg.method}-${Date.now().toString(36)}`;
  const evalData = job.evalData ?? [];
  const evalSeqlen = job.evalSeqlen ?? cfg.seqlen;
  exec.checkRun?.({ seqlen: cfg.seqlen, evalSeqlen: evalData.length ? evalSeqlen : undefined }); // before any work
  try {
    const resumeFrom = job.resume && job.checkpoint ? await job.checkpoint.load() : null;
    // A checkpoint of another run is refused by the pipeline (CheckpointMismatchError) before any work.
    emit({
      type: 'run-start',
      runId,
      config: cfg,
      model: { name: model.name, sha256: model.weightsSha256, nLayers: model.spec.nLayers, params: countParams(model.spec, model.weights) },
      adapter: exec.adapter,
      startBlock: resumeFrom?.completed ?? 0,
    });

    emit({
      type: 'phase',
      phase: 'calibration',
      detail: `${cfg.nsamples} × ${cfg.seqlen} tokens from ${job.calibration.id}, seed ${cfg.seed}`,
    });
    const corpus = idsOf(job.calibration, model.tokenizer);
    const calib = sampleCalibration(corpus, cfg.nsamples, cfg.seqlen, cfg.seed);

    let dense: ReportPerplexity[] = job.densePerplexity ?? [];
    const te0 = performance.now();
    if (!job.skipDenseEval && !job.densePerplexity && evalData.length) {
      emit({ type: 'phase', phase: 'dense-eval' });
      dense = await evaluateAll(
        evalData,
        model.tokenizer,
        evalSeqlen,
        model.spec.vocabSize,
        forwardFactory(model.spec, model.weights),
        cfg.evalWindows,
        'dense',
        emit,
      );
      await exec.checkDevice?.('dense perplexity');
    }
    let evalSeconds = (performance.now() - te0) / 1000;

    emit({ type: 'phase', phase: 'pruning', detail: cfg.method });
    const trace = new StepTraceRecorder(); // the step series go into the report too (src/prune/reportTrace.ts)
    const pipe = await runPipeline({
      model,
      config: cfg,
      calibrationIds: calib.ids,
      executor: exec,
      onEvent: (e) => {
        trace.add(e);
        job.onEvent?.(e);
      },
      signal: job.signal,
      controller: job.controller,
      checkpoint: job.checkpoint,
      checkpointEvery: job.checkpointEvery,
      resume: job.resume,
      resumeFrom: job.resume ? resumeFrom : undefined,
    });

    let pruned: ReportPerplexity[] = [];
    if (pipe.status === 'completed' && evalData.length) {
      emit({ type: 'phase', phase: 'pruned-eval' });
      const te1 = performance.now();
      pruned = await evaluateAll(
        evalData,
        model.tokenizer,
        evalSeqlen,
        model.spec.vocabSize,
        forwardFactory(model.spec, pipe.weights),
        cfg.evalWindows,
        'pruned',
        emit,
      );
      await exec.checkDevice?.('pruned perplexity');
      evalSeconds += (performance.now() - te1) / 1000;
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    const report = buildReport({
      runId,
      status: pipe.status,
      model,
      config: cfg,
      calibrationTokens: corpus.length,
      calibrationStarts: calib.starts,
      evalSeqlen,
      evalDatasets: evalData.map((d) => d.id),
      startBlock: pipe.startBlock,
      completedBlocks: pipe.completedBlocks,
      blocks: pipe.blocks,
      dense,
      pruned,
      storage: storedBytes(model.spec, pipe.weights),
      trace: trace.trace(),
      wallSeconds,
      pruneSeconds: pipe.seconds,
      evalSeconds,
      executor: exec.kind,
      adapter: exec.adapter,
      peakGpuBytes: exec.kind === 'gpu' ? (exec.memory?.().peakBytes ?? null) : null, // the WASM engine's memory() is its module memory, not GPU bytes
    });
    if (pipe.status === 'completed') emit({ type: 'phase', phase: 'done' });
    emit({ type: 'run-end', status: pipe.status, seconds: wallSeconds, achievedSparsity: report.achievedSparsity });
    return { status: pipe.status, weights: pipe.weights, report, pipeline: pipe };
  } catch (err) {
    emit({
      type: 'run-end',
      status: 'failed',
      seconds: (performance.now() - t0) / 1000,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    throw err;
  }
}
