// The page's actions: the only place that talks to the engine Worker. Worker pushes go into the
// vanilla stores (engine events → runStore.ingest); React components call these functions and read
// the stores through selectors. Nothing here computes run results.
import type { ExportFormat } from '../model/export';
import { parseReportFile } from '../prune/reportFile';
import { linearNames, type LinearName } from '../model/spec';
import type { RunConfig } from '../prune/config';
import type { EngineRequest } from '../prune/engineChoice';
import type { EngineClient } from '../worker/client';
import type { ControlAction, ModelSourceRequest, StartMode } from '../worker/protocol';
import { compareStore, COMPARE_PRESETS, type CompareRow } from './compareStore';
import { sweepRows } from './sweep';
import { currentSettingProblems } from './settingsCheck';
import { configStore } from './configStore';
import { gpuStore } from './gpuStore';
import { modelStore } from './modelStore';
import { runStore } from './runStore';
import { uiStore } from './uiStore';

/** An action ran before attachEngine() (the Worker failed to start, or boot has not reached it yet). */
export class EngineNotStartedError extends Error {
  override name = 'EngineNotStartedError';
  constructor() {
    super('The engine Worker is not started: reload the page; if this persists, the browser blocks module Workers.');
  }
}

let client: EngineClient | null = null;

export function attachEngine(c: EngineClient): void {
  client = c;
  c.onPush((p) => {
    if (p.type === 'event') {
      runStore.getState().ingest(p.event);
      if (p.event.type === 'block-end' && uiStore.getState().mask?.block === p.event.block) void refreshMask();
    } else if (p.type === 'paused') runStore.getState().setPaused({ waiting: p.waiting, point: p.point });
    else if (p.type === 'report') {
      runStore.getState().setReport(p.report);
    } else if (p.type === 'device-lost') {
      // Sticky, not a uiStore notice: the failing run's own error (run-end, e.g. a rejected mapAsync)
      // is shown in preference to a notice and startRun replaces the notice when its request fails,
      // so the loss and what to do about it were hidden.
      gpuStore.getState().setDeviceLost(p.message);
    } else if (p.type === 'engine') gpuStore.getState().setEngine(p.decision);
    else if (p.type === 'download')
      modelStore.getState().set({ download: { file: p.file, loaded: p.loaded, total: p.total, cached: p.cached } });
  });
}

const engine = () => {
  if (!client) throw new EngineNotStartedError();
  return client;
};
const errText = (e: unknown) => `${(e as Error).name}: ${(e as Error).message}`;

/** Files the default model folders ship (a URL base cannot be listed). */
const URL_MODEL_FILES = ['config.json', 'model.safetensors', 'tokenizer.json'];

/** sotu-llama-3m when its files are served, else micro (or the model named in the URL hash). */
export async function resolveDefaultModel(): Promise<string> {
  const named = configStore.getState().modelName;
  if (named) return named;
  try {
    const r = await fetch(`${import.meta.env.BASE_URL}models/sotu-llama-3m/config.json`);
    if (r.ok && (r.headers.get('content-type') ?? '').includes('json')) return 'sotu-llama-3m';
  } catch {
    /* fall through to micro */
  }
  return 'micro';
}

/** Clamp the sequence length to the model's context (a longer window would run past its positions). */
function fitToModel(ctx: number, label: string): string | null {
  const cfg = configStore.getState();
  if (cfg.config.seqlen <= ctx) return null;
  const was = cfg.config.seqlen;
  cfg.set({ seqlen: ctx });
  return `sequence length ${was} → ${ctx}: ${label}'s context is ${ctx} tokens`;
}

export async function loadModelFrom(source: ModelSourceRequest, label: string): Promise<boolean> {
  modelStore.getState().set({ loading: label, error: null });
  try {
    const r = await engine().request<'model-ok'>({ type: 'load-model', source });
    modelStore.getState().set({
      loading: null,
      download: null,
      card: r.card,
      checkpoint: r.checkpoint,
      adjusted: fitToModel(r.card.spec.maxSeqLen, label),
      timeProbe: null, // timed on the previous model
    });
    runStore.getState().clear(r.card.spec.nLayers);
    uiStore.getState().set({ mask: null, generations: null, selectedBlock: null });
    compareStore.getState().set({ rows: [] });
    void refreshMask();
    void pickEngine(configStore.getState().engine);
    return true;
  } catch (e) {
    modelStore.getState().set({ loading: null, download: null, error: { name: (e as Error).name, message: (e as Error).message } });
    return false;
  }
}

/** remember: put the choice in the URL hash (a user's pick), not for the automatic default. */
export async function loadPublicModel(name: string, remember = true): Promise<boolean> {
  if (remember) configStore.getState().setModelName(name);
  return loadModelFrom({ kind: 'url', base: `${import.meta.env.BASE_URL}models/${name}/`, files: URL_MODEL_FILES }, name);
}

/** A Hugging Face id or URL (or a mirror's), downloaded by the Worker with progress and cached. */
export const loadHubModel = (input: string) => loadModelFrom({ kind: 'hub', input: input.trim() }, input.trim());

export const loadUserFiles = (files: File[]) =>
  loadModelFrom({ kind: 'files', files }, files.length === 1 ? files[0].name : `${files.length} files`);

/**
 * Decide the loaded model's engine for `request` (the Worker probes WebGPU against WASM for auto on a
 * software adapter) and remember the choice in the URL hash. The decision arrives as an 'engine' push.
 */
export async function pickEngine(request: EngineRequest): Promise<void> {
  configStore.getState().setEngine(request);
  if (!client || !modelStore.getState().card) return; // decided after the next load
  gpuStore.getState().setEngine(null);
  try {
    await client.request<'engine-ok'>({ type: 'set-engine', engine: request });
  } catch (e) {
    gpuStore.getState().setEngine(null, errText(e));
  }
}

/** Start a run; resolves when it has ended (completed, cancelled or failed). */
export async function startRun(
  startMode: StartMode = 'run',
  opts: { resume?: boolean; config?: RunConfig; label?: string; steps?: number } = {},
): Promise<string | null> {
  const config = opts.config ?? configStore.getState().config;
  uiStore.getState().set({ notice: null });
  // The panel's own settings are checked here too (Learn and the run bar start runs as well); a comparison
  // row's config is the Worker's to check.
  const problems = opts.config ? [] : currentSettingProblems();
  if (problems.length) {
    uiStore.getState().set({ notice: { kind: 'error', text: `Fix the settings first: ${problems.map((p) => p.text).join('; ')}` } });
    return null;
  }
  try {
    const r = await engine().request<'run-ok'>({
      type: 'run',
      config,
      resume: opts.resume ?? false,
      startMode,
      steps: opts.steps,
      label: opts.label,
      engine: configStore.getState().engine,
    });
    modelStore.getState().set({ checkpoint: r.checkpoint ?? null }); // a cancelled run can be resumed right away
    return r.runId;
  } catch (e) {
    uiStore.getState().set({ notice: { kind: 'error', text: errText(e) } });
    return null;
  }
}

/** count: with 'step', the number of optimiser steps to take before pausing again. */
export const control = (action: ControlAction, count?: number) => engine().request<'ok'>({ type: 'control', action, count });

/** Step buttons also work before a run: they start it paused and take the step (or `steps` steps). */
export async function stepOrStart(action: 'step' | 'block', steps = 1): Promise<void> {
  if (runStore.getState().status === 'running') await control(action, action === 'step' ? steps : undefined);
  else void startRun(action, { steps: action === 'step' ? steps : undefined });
}

export const cancelRun = () => engine().request<'ok'>({ type: 'cancel' });

export async function resetRun(): Promise<void> {
  await engine().request<'ok'>({ type: 'reset' });
  const card = modelStore.getState().card;
  runStore.getState().clear(card?.spec.nLayers ?? 0);
  modelStore.getState().set({ checkpoint: null });
  uiStore.getState().set({ mask: null, generations: null, selectedBlock: null });
  void refreshMask();
}

export async function resumeCheckpoint(): Promise<void> {
  const cp = modelStore.getState().checkpoint;
  if (!cp) return;
  configStore.getState().replace(cp.config); // resume needs the very same config (the runKey)
  await startRun('run', { resume: true });
}

export async function refreshMask(block?: number, layer?: LinearName): Promise<void> {
  const ui = uiStore.getState();
  const card = modelStore.getState().card;
  if (!card || !client) return;
  const b = block ?? ui.mask?.block ?? ui.selectedBlock ?? 0;
  // The loaded model's linears: a layer picked on another architecture (gate on GPT-2, fc on LLaMA) shows q.
  const names = linearNames(card.spec);
  const wanted = layer ?? ui.maskLayer;
  const l = names.includes(wanted) ? wanted : names[0];
  try {
    const r = await client.request<'mask-ok'>({ type: 'mask', block: b, layer: l });
    uiStore.getState().set({ mask: r.mask, maskLayer: l, maskError: null });
  } catch (e) {
    uiStore.getState().set({ maskError: errText(e) });
  }
}

export async function generateTexts(prompt: string, maxNewTokens: number, runIds: string[]): Promise<void> {
  uiStore.getState().set({ busy: 'generating' });
  try {
    const seed = configStore.getState().config.seed;
    const r = await engine().request<'generate-ok'>({ type: 'generate', prompt, maxNewTokens, seed, temperature: 0.8, runIds });
    uiStore.getState().set({ generations: { prompt: r.prompt, items: r.generations } });
  } catch (e) {
    uiStore.getState().set({ notice: { kind: 'error', text: errText(e) } });
  } finally {
    uiStore.getState().set({ busy: null });
  }
}

/** The pruned model's files: dense, or with the linears in compressed-tensors' sparse-bitmask format (docs/exports.md §1). */
export async function exportModel(format: ExportFormat = 'dense'): Promise<Record<string, Uint8Array> | null> {
  uiStore.getState().set({ busy: 'exporting' });
  try {
    return (await engine().request<'export-ok'>({ type: 'export-model', format })).files;
  } catch (e) {
    uiStore.getState().set({ notice: { kind: 'error', text: errText(e) } });
    return null;
  } finally {
    uiStore.getState().set({ busy: null });
  }
}

/**
 * Show a finished run from its .report.json (issue #14): checked by parseReportFile (every problem named), then
 * drawn by the same charts as a live run. Refused while a run is in progress, so no live work is hidden.
 */
export function openReportFile(name: string, bytes: Uint8Array): boolean {
  const notice = (kind: 'error' | 'info', text: string) => uiStore.getState().set({ notice: { kind, text } });
  if (runStore.getState().status === 'running' || uiStore.getState().busy !== null) {
    notice('error', `Stop the current run before opening ${name}: its charts would replace the live ones.`);
    return false;
  }
  try {
    runStore.getState().loadReport(parseReportFile(name, bytes), name);
  } catch (e) {
    notice('error', errText(e));
    return false;
  }
  notice('info', `Showing ${name}: a finished run from its report. Its pruned weights are not in the file, so model exports are off.`);
  return true;
}

/** Time one block forward on the engine in use, for the time estimate next to the memory estimate. */
export async function probeTime(): Promise<void> {
  const { config, engine: request } = configStore.getState();
  try {
    const r = await engine().request<'time-probe-ok'>({ type: 'time-probe', seqlen: config.seqlen, engine: request });
    modelStore.getState().set({ timeProbe: { msPerBlockForward: r.msPerBlockForward, seqlen: r.seqlen, engine: r.engine } });
  } catch (e) {
    uiStore.getState().set({ notice: { kind: 'error', text: errText(e) } });
  }
}

export async function refreshMemory(): Promise<void> {
  if (!client || gpuStore.getState().status.kind !== 'ready') return;
  const r = await client.request<'memory-ok'>({ type: 'memory' });
  if (r.snapshot) gpuStore.getState().setMemory({ liveBytes: r.snapshot.liveBytes, peakBytes: r.snapshot.peakBytes });
}

/**
 * Run the chosen presets one after another on the current config's seed and data; with `sparsities`,
 * each (unstructured) preset at each of those targets: a sparsity sweep (src/store/sweep.ts).
 */
export async function runComparison(labels: string[], sparsities?: number[]): Promise<void> {
  const base = configStore.getState().config;
  const rows: CompareRow[] = sparsities
    ? sweepRows(base, labels, sparsities)
    : COMPARE_PRESETS.filter((p) => labels.includes(p.label)).map((p) => ({
        label: p.label,
        preset: p.label,
        config: p.patch(base),
        runId: null,
        status: 'queued',
        report: null,
        error: null,
      }));
  compareStore.getState().set({ running: true, sweep: !!sparsities, rows });
  for (let i = 0; i < rows.length; i++) {
    if (!compareStore.getState().running) break;
    const row = compareStore.getState().rows[i];
    compareStore.getState().patchRow(i, { status: 'running' });
    const runId = await startRun('run', { config: row.config, label: row.label });
    const rs = runStore.getState();
    const ok = runId && rs.report?.runId === runId;
    compareStore
      .getState()
      .patchRow(
        i,
        ok
          ? { runId, status: rs.report!.status, report: rs.report }
          : { status: 'failed', error: uiStore.getState().notice?.text ?? rs.error ?? 'failed' },
      );
  }
  compareStore.getState().set({ running: false });
}

export async function stopComparison(): Promise<void> {
  compareStore.getState().set({ running: false });
  await cancelRun();
}
