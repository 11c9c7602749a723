/// <reference lib="webworker" />
// The engine's Web Worker: owns the GPU device, the loaded model, the running job and the results of
// finished runs. The page talks to it only through protocol.ts messages.
import '../gpu/shaderSourcesBrowser';
import { adapterLabel } from '../gpu/capabilities';
import { acquireDevice, simulateDeviceLoss } from '../gpu/device';
import type { DeviceLostError } from '../gpu/errors';
import { GpuRuntime } from '../gpu/runtime';
import { runMatmulSelfCheck } from '../gpu/selfCheck';
import { loadModel, type LoadedModel } from '../model/loader';
import { browserFilesSource, urlSource, type FileSource } from '../model/sources';
import { hubSource, parseHubInput } from '../model/hub';
import { cacheStorageHubCache } from './hubCache';
import type { EngineEvent } from '../prune/events';
import { blockToF32 } from '../model/spec';
import { EngineUnavailableError, timeBlockForward, type EngineRequest } from '../prune/engineChoice';
import { setUpEngine, type ChosenEngine } from '../prune/engineSetup';
import { browserWasmThreading } from './wasmHelpers';
import { wasmSimdSupported } from '../wasm/kernels';
import { RunController } from '../prune/controller';
import { NoModelLoadedError, RunInProgressError, RunNotFoundError, TestHooksDisabledError } from './errors';
import { methodOf } from '../prune/methods/registry';
import { clearCheckpoints, peekCheckpoint } from './idbCheckpoint';
import { runJob, type JobResult } from './job';
import { modelCard } from './modelCard';
import { exportModelFiles, generateAll, maskImage } from './outputs';
import type { ModelSourceRequest, WorkerPush, WorkerRequest, WorkerResponse } from './protocol';

let runtime: GpuRuntime | null = null;
let model: LoadedModel | null = null;
let source: FileSource | null = null;
/** The engine of the loaded model's runs and generations, and the request it was decided for. */
let engine: { request: EngineRequest; chosen: ChosenEngine } | null = null;
let current: { abort: AbortController; controller: RunController; runId: string | null } | null = null;
/** Finished (or cancelled) runs of the current model, by runId: masks, generations and export read these. */
const results = new Map<string, JobResult>();
/** Pruned linears of the blocks committed so far by the running job (mask view mid-run). */
let liveBlocks = new Map<number, Record<string, Float32Array>>();
let lastRunId: string | null = null;
/** Set once runtime.lost reports a loss: this Worker's device is gone for good (a reload makes a new one). */
let lostError: DeviceLostError | null = null;
/** Requests that may need the GPU. Refused after a loss: above all 'run', because a fresh run starts by
 *  clearing the IndexedDB checkpoint (pipeline.ts) and would then fail, losing the finished blocks. */
const NEEDS_GPU = new Set<WorkerRequest['type']>(['run', 'load-model', 'self-check', 'generate', 'set-engine', 'time-probe']);
/** Why this Worker has no WebGPU device (no navigator.gpu, no adapter, requestDevice failed); null: not tried or fine. */
let gpuError: string | null = null;
/** The WASM engine's threads; with test hooks every product is split, so e2e runs on the micro model exercise it. */
const threading = () => ({ ...browserWasmThreading(), ...(testHooks ? { minMacs: 0 } : {}) });

/** Set by an 'init' with testHooks (the page's ?e2e-hooks=1); nothing else turns it on. */
let testHooks = false;

async function getRuntime(): Promise<GpuRuntime> {
  if (!runtime) {
    runtime = new GpuRuntime(await acquireDevice(navigator.gpu));
    void runtime.lost.then((err) => {
      if (!err) return;
      lostError = err;
      push({
        id: 0,
        type: 'device-lost',
        message: `${err.message} After the reload press Resume: the finished blocks are saved in this browser.`,
      });
    });
  }
  return runtime;
}

/** The WebGPU runtime, or null with gpuError set: the studio then runs on WASM (or the CPU reference). */
async function tryRuntime(): Promise<GpuRuntime | null> {
  if (runtime || gpuError !== null) return runtime;
  try {
    return await getRuntime();
  } catch (e) {
    gpuError = `${(e as Error).name}: ${(e as Error).message}`;
    return null;
  }
}

/** The engine for `request` on the loaded model: the cached one, or decided (and announced) anew. */
async function engineFor(request: EngineRequest): Promise<ChosenEngine> {
  if (!model) throw new NoModelLoadedError('choosing an engine');
  if (engine?.request === request) return engine.chosen;
  const rt = await tryRuntime();
  const chosen = await setUpEngine(model, request, { runtime: rt, error: gpuError ?? undefined }, threading()).catch((e: Error) => {
    if (e instanceof EngineUnavailableError) e.message += '. Pick another engine in the method panel.';
    throw e;
  });
  engine?.chosen.dispose();
  engine = { request, chosen };
  push({ id: 0, type: 'engine', decision: chosen.decision });
  return chosen;
}

const post = (msg: WorkerResponse | WorkerPush) => (self as unknown as DedicatedWorkerGlobalScope).postMessage(msg);
const reply = (msg: WorkerResponse) => post(msg);
const push = (msg: WorkerPush) => post(msg);
const emit = (event: EngineEvent) => push({ id: 0, type: 'event', event });

async function readReadme(src: FileSource): Promise<string | null> {
  try {
    const bytes = await src.read('README.md');
    const text = new TextDecoder().decode(bytes);
    return text.trimStart().startsWith('<') ? null : text; // an SPA fallback page is not a README
  } catch {
    return null;
  }
}

function sourceOf(s: ModelSourceRequest): FileSource {
  if (s.kind === 'url') return urlSource(s.base, [...s.files, 'README.md']);
  if (s.kind === 'files') return browserFilesSource(s.files);
  let last = 0;
  return hubSource(parseHubInput(s.input), {
    cache: cacheStorageHubCache(),
    onProgress: (p) => {
      const now = performance.now();
      if (now - last < 100 && p.loaded !== p.total) return;
      last = now;
      push({ id: 0, type: 'download', file: p.file, loaded: p.loaded, total: p.total, cached: p.cached === true });
    },
  });
}

async function handle(req: WorkerRequest): Promise<void> {
  if (lostError && NEEDS_GPU.has(req.type)) throw lostError;
  switch (req.type) {
    case 'init': {
      testHooks = req.testHooks === true;
      const rt = await tryRuntime();
      const caps = rt?.caps ?? null;
      return reply({ id: req.id, type: 'init-ok', caps, adapter: caps && adapterLabel(caps), gpuError, wasm: wasmSimdSupported() });
    }
    case 'self-check': {
      const rt = await getRuntime();
      return reply({ id: req.id, type: 'self-check-ok', result: await runMatmulSelfCheck(rt) });
    }
    case 'load-model': {
      if (current) throw new RunInProgressError('loading another model');
      const src = sourceOf(req.source);
      const m = await loadModel(src);
      engine?.chosen.dispose();
      engine = null;
      model = m;
      source = src;
      results.clear();
      liveBlocks = new Map();
      lastRunId = null;
      const cp = await peekCheckpoint().catch(() => null);
      return reply({
        id: req.id,
        type: 'model-ok',
        card: modelCard(m, await readReadme(src)),
        checkpoint: cp && cp.modelSha256 === m.weightsSha256 ? cp : null,
        // The engine is decided after the card is on screen: a failed choice must not unload the model.
      });
    }
    case 'set-engine':
      return reply({ id: req.id, type: 'engine-ok', decision: (await engineFor(req.engine)).decision });
    case 'run': {
      if (!model) throw new NoModelLoadedError('pruning');
      if (current) throw new RunInProgressError('starting another');
      const runEngine = await engineFor(req.engine);
      const abort = new AbortController();
      const controller = new RunController(!methodOf(req.config.method).learnsPerStep, req.startMode, req.steps);
      controller.onPauseChange = (waiting, point) => push({ id: 0, type: 'paused', waiting, point });
      current = { abort, controller, runId: null };
      liveBlocks = new Map();
      const label = req.label ?? req.config.method;
      try {
        const r = await runJob({
          model,
          engine: runEngine,
          config: req.config,
          label,
          resume: req.resume,
          controller,
          signal: abort.signal,
          emit: (e) => {
            if (e.type === 'run-start' && current) current.runId = e.runId;
            emit(e);
          },
          onBlockSaved: (b, w) => liveBlocks.set(b, w),
        });
        results.set(r.runId, r);
        lastRunId = r.runId;
        push({ id: 0, type: 'report', report: r.report, label });
        // a cancelled run's finished blocks are in the checkpoint: the page offers Resume at once, not only after a reload
        const cp = r.status === 'cancelled' ? await peekCheckpoint().catch(() => null) : null;
        const resumable = cp && cp.modelSha256 === model.weightsSha256 && (cp.completed > 0 || cp.partial) ? cp : null;
        return reply({ id: req.id, type: 'run-ok', runId: r.runId, status: r.status, checkpoint: resumable });
      } finally {
        current = null;
      }
    }
    case 'control': {
      const c = current?.controller;
      if (c)
        ({ pause: () => c.pause(), resume: () => c.resume(), step: () => c.stepMany(req.count ?? 1), block: () => c.stepBlock() })[
          req.action
        ]();
      return reply({ id: req.id, type: 'ok' });
    }
    case 'cancel':
      current?.abort.abort();
      return reply({ id: req.id, type: 'ok' });
    case 'reset':
      current?.abort.abort();
      results.clear();
      liveBlocks = new Map();
      lastRunId = null;
      await clearCheckpoints();
      return reply({ id: req.id, type: 'ok' });
    case 'mask': {
      if (!model) throw new NoModelLoadedError('showing a mask');
      const run = lastRunId ? results.get(lastRunId) : undefined;
      return reply({ id: req.id, type: 'mask-ok', mask: maskImage(model, req.block, req.layer, run, current ? liveBlocks : null) });
    }
    case 'generate': {
      if (!model) throw new NoModelLoadedError('generating text');
      const gen = await engineFor(engine?.request ?? 'auto');
      const gens = await generateAll(model, gen.forwardFactory, req, results, gen.decoderFactory);
      return reply({ id: req.id, type: 'generate-ok', prompt: req.prompt, generations: gens });
    }
    case 'export-model': {
      if (!model || !source) throw new NoModelLoadedError('exporting');
      const run = results.get(req.runId ?? lastRunId ?? '');
      if (!run) throw new RunNotFoundError('Nothing to export yet: finish (or cancel) a pruning run first.');
      return reply({ id: req.id, type: 'export-ok', files: await exportModelFiles(model, source, run, req.format) });
    }
    case 'time-probe': {
      if (!model) throw new NoModelLoadedError('timing a block');
      if (current) throw new RunInProgressError('timing a block');
      const chosen = await engineFor(req.engine);
      const T = Math.max(1, Math.min(req.seqlen, model.spec.maxSeqLen));
      const X = new Float32Array(T * model.spec.dim).map((_, i) => Math.sin(i)); // calibration-like, deterministic
      const ms = await timeBlockForward(chosen.executor, blockToF32(model.weights.blocks[0]), X, 300);
      return reply({ id: req.id, type: 'time-probe-ok', msPerBlockForward: ms, seqlen: T, engine: chosen.decision.engine });
    }
    case 'memory':
      return reply({ id: req.id, type: 'memory-ok', snapshot: runtime ? runtime.ledger.snapshot() : null });
    case 'test-lose-device': {
      if (!testHooks || !runtime) throw new TestHooksDisabledError('test-lose-device');
      simulateDeviceLoss(runtime.device); // the running job fails on its next GPU call; runtime.lost reports it
      return reply({ id: req.id, type: 'ok' });
    }
    case 'test-state': {
      if (!testHooks) throw new Error('test-state is a test-only request: open the studio with ?e2e-hooks=1 to arm it.');
      return reply({ id: req.id, type: 'test-state-ok', running: current !== null });
    }
  }
}

self.onmessage = (ev: MessageEvent<WorkerRequest>) => {
  const req = ev.data;
  handle(req).catch((e) => {
    const err = e as Error;
    reply({ id: req.id, type: 'error', errorName: err?.name ?? 'Error', message: err?.message ?? String(e) });
  });
};
