// Node-side helpers shared by the CLIs: model/dataset loading, executor choice, the stderr progress
// display fed by engine events, Ctrl-C handling and writing output folders.
import { readdir, readFile, stat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { exportHfFiles, type ExportFormat } from '../model/export';
import { hubSource, looksLikeHubInput, parseHubInput, type HubProgress } from '../model/hub';
import { loadModel, type LoadedModel, type LoadOptions } from '../model/loader';
import type { FileSource } from '../model/sources';
import { nodeDirSource, nodeFileSource } from '../model/sourceNode';
import type { StoredWeights } from '../model/spec';
import { acquireNodeDevice } from '../gpu/node';
import { GpuRuntime } from '../gpu/runtime';
import { ENGINE_REQUESTS, EngineUnavailableError, isEngineRequest, type EngineRequest } from '../prune/engineChoice';
import { setUpEngine, type ChosenEngine } from '../prune/engineSetup';
import type { EngineEvent } from '../prune/events';
import type { Corpus } from '../prune/job';
import { CliArgumentError } from './args';
import { writeFilesAtomically } from './atomicWrite';
import { nodeHubCache } from './hubCacheNode';
import { readTokenIds } from './tokenIds';
import { availableParallelism } from 'node:os';
import { MAX_HELPERS } from '../wasm/threads';
import { nodeWasmThreading } from '../wasm/threadsNode';

/**
 * A local folder or file, or a hub id / URL (docs/real-models.md §6: downloaded with progress on stderr
 * and kept in the hub cache). The source also gives the tokenizer files that an export copies.
 */
export async function loadModelFromPath(path: string, opts: LoadOptions = {}): Promise<{ model: LoadedModel; source: FileSource }> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    if (looksLikeHubInput(path)) {
      const source = hubSource(parseHubInput(path), { cache: nodeHubCache(), onProgress: hubProgressLine() });
      const model = await loadModel(source, opts);
      process.stderr.write('\n');
      return { model, source };
    }
    throw new CliArgumentError(
      `--model ${path}: no such file or folder; pass a model folder (e.g. public/models/micro), a checkpoint file, or a hub id like HuggingFaceTB/SmolLM2-135M`,
    );
  }
  const source = isDir ? nodeDirSource(path) : await nodeFileSource(path);
  const model = await loadModel(source, opts);
  return { model, source };
}

/** One self-overwriting stderr line per file: "downloading model.safetensors 42 % (113.0 / 269.1 MiB)". */
function hubProgressLine(): (p: HubProgress) => void {
  let last = 0;
  return (p) => {
    const now = performance.now();
    const done = p.total !== null && p.loaded >= p.total;
    if (!done && now - last < 200) return;
    last = now;
    const mib = (n: number) => (n / 2 ** 20).toFixed(1);
    const what = p.cached ? 'cached' : 'downloading';
    const pct = p.total ? `${Math.floor((100 * p.loaded) / p.total)} % ` : '';
    process.stderr.write(`\r${what} ${p.file} ${pct}(${mib(p.loaded)}${p.total ? ` / ${mib(p.total)}` : ''} MiB)\x1b[K`);
  };
}

/**
 * The calibration and eval corpora: text datasets by id from `dataDir`, or token-id files when
 * --calib-ids / --eval-ids are given (docs/real-models.md §3; those replace --calib / --eval).
 */
export async function readCorpora(
  a: Record<string, unknown>,
  dataDir: string,
  cfg: { calibration: string; evalDatasets: string[] },
  model: LoadedModel,
): Promise<{ calibration: Corpus; evalData: Corpus[] }> {
  const calibIds = a['calib-ids'] as string | undefined;
  const evalIds = a['eval-ids'] as string | undefined;
  const vocabSize = model.spec.vocabSize;
  if (model.tokenizer.missing && !evalIds && cfg.evalDatasets.length)
    throw new CliArgumentError(
      'this model has no tokenizer file, so the --eval texts cannot be tokenised; give --eval-ids FILES, or --eval none',
    );
  const calibration = calibIds ? await readTokenIds(calibIds, vocabSize) : await readDataset(dataDir, cfg.calibration);
  const evalData = evalIds
    ? await Promise.all(evalIds.split(',').map((p) => readTokenIds(p.trim(), vocabSize)))
    : await Promise.all(cfg.evalDatasets.map((id) => readDataset(dataDir, id)));
  return { calibration, evalData };
}

export async function readDataset(dataDir: string, id: string): Promise<Corpus> {
  const file = join(dataDir, `${id}.txt`);
  try {
    return { id, text: await readFile(file, 'utf8') };
  } catch {
    let have: string[] = [];
    try {
      have = (await readdir(dataDir)).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4));
    } catch {
      /* folder missing: reported below */
    }
    throw new CliArgumentError(
      `dataset "${id}" not found at ${file}; available in ${dataDir}: ${have.join(', ') || '(none; set --data-dir)'}`,
    );
  }
}

export type NodeEngine = ChosenEngine;

/** --engine (or --cpu, kept as the short form of --engine cpu); default auto. */
export function engineRequestFromArgs(a: Record<string, unknown>): EngineRequest {
  const v = a.engine === undefined ? (a.cpu ? 'cpu' : 'auto') : String(a.engine);
  if (!isEngineRequest(v)) throw new CliArgumentError(`--engine ${v}: use one of ${ENGINE_REQUESTS.join(', ')}`);
  if (a.cpu && v !== 'cpu') throw new CliArgumentError(`--cpu contradicts --engine ${v}; pass one of them`);
  return v;
}

/** --threads: the WASM engine's thread count (default every core this process may use). */
export function threadsFromArgs(a: Record<string, unknown>): number {
  if (a.threads === undefined) return availableParallelism();
  const n = Number(a.threads);
  if (!Number.isInteger(n) || n < 1 || n > MAX_HELPERS + 1)
    throw new CliArgumentError(`--threads ${String(a.threads)}: use a whole number from 1 to ${MAX_HELPERS + 1}`);
  return n;
}

/**
 * The engine of a CLI run (src/prune/engineSetup.ts): WebGPU via Dawn (src/gpu/node.ts), WASM, or the
 * CPU reference. Auto on a software adapter times one block forward on WebGPU and WASM and takes the faster.
 */
export async function createNodeEngine(model: LoadedModel, request: EngineRequest, threads = availableParallelism()): Promise<NodeEngine> {
  let runtime: GpuRuntime | null = null;
  let error: string | undefined;
  if (request === 'webgpu' || request === 'auto') {
    try {
      runtime = new GpuRuntime(await acquireNodeDevice());
    } catch (e) {
      error = `${(e as Error).name}: ${(e as Error).message}`;
    }
  }
  try {
    const engine = await setUpEngine(model, request, { runtime, error }, nodeWasmThreading(threads));
    if (engine.decision.engine !== 'webgpu') runtime?.device.destroy();
    return engine;
  } catch (e) {
    runtime?.device.destroy();
    if (e instanceof EngineUnavailableError) throw new CliArgumentError(e.message);
    throw e;
  }
}

const fmtTime = (s: number | undefined) => {
  if (s === undefined || !Number.isFinite(s)) return '--';
  const m = Math.floor(s / 60);
  return m ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(1)}s`;
};

/**
 * Renders engine events on stderr: phases, blocks and results as lines, and step progress as `progress` says
 * (default: an updating bar on a terminal, nothing when piped; 'lines' writes one line per progress event).
 */
export function stderrReporter(
  prefix = '',
  progress: 'bar' | 'lines' | 'none' = process.stderr.isTTY ? 'bar' : 'none',
): (e: EngineEvent) => void {
  let barShown = false;
  const line = (s: string) => {
    if (barShown) process.stderr.write('\r\x1b[K');
    barShown = false;
    process.stderr.write(prefix + s + '\n');
  };
  return (e) => {
    switch (e.type) {
      case 'progress': {
        if (progress === 'lines') return line(`${e.label}${e.etaSeconds !== undefined ? `  ETA ${fmtTime(e.etaSeconds)}` : ''}`);
        if (progress !== 'bar') return;
        const w = 24;
        const f = e.total ? e.done / e.total : 0;
        const bar = '#'.repeat(Math.round(f * w)).padEnd(w, '.');
        process.stderr.write(`\r\x1b[K${prefix}[${bar}] ${(100 * f).toFixed(0).padStart(3)}% ${e.label}  ETA ${fmtTime(e.etaSeconds)}`);
        barShown = true;
        return;
      }
      case 'phase':
        return line(`== ${e.phase}${e.detail ? `: ${e.detail}` : ''}`);
      case 'block-end':
        return line(
          `block ${e.block}: sparsity ${e.blockSparsity.toFixed(4)}${e.learnedSparsity !== undefined ? ` (learned ${e.learnedSparsity.toFixed(4)})` : ''}  recon loss ${e.lossBefore.toExponential(3)} → ${e.lossAfter.toExponential(3)}  ${e.seconds.toFixed(1)}s  ETA ${fmtTime(e.etaSeconds)}`,
        );
      case 'perplexity':
        return line(
          `${e.stage} perplexity ${e.result.dataset}: ${e.result.ppl.toFixed(4)} (${e.result.windows} windows × ${e.result.seqlen})`,
        );
      case 'log':
        return line(`${e.level === 'warn' ? 'warning: ' : ''}${e.message}`);
      case 'run-end':
        return line(
          `run ${e.status} in ${fmtTime(e.seconds)}${e.achievedSparsity !== undefined ? `, achieved sparsity ${e.achievedSparsity.toFixed(4)}` : ''}${e.error ? `: ${e.error}` : ''}`,
        );
      default:
        return;
    }
  };
}

/** First Ctrl-C: abort after the current step; second: exit immediately. */
export function abortOnSigint(onFirst: () => void): AbortController {
  const ac = new AbortController();
  let count = 0;
  process.on('SIGINT', () => {
    count++;
    if (count === 1) {
      onFirst();
      ac.abort();
    } else process.exit(130);
  });
  return ac;
}

/** Pruned model as an HF folder: same tensor names, config.json, tokenizer files copied. */
export async function writeModelFolder(
  out: string,
  model: LoadedModel,
  source: FileSource,
  weights: StoredWeights,
  metadata: Record<string, string>,
  format: ExportFormat = 'dense',
): Promise<Record<string, number>> {
  const extraFiles: Record<string, Uint8Array> = {};
  const have = await source.list();
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'tokenizer.bin']) if (have.includes(f)) extraFiles[f] = await source.read(f); // hub: from the cache
  const files = exportHfFiles(model.spec, weights, { extraFiles, metadata, format });
  await mkdir(out, { recursive: true });
  await writeFilesAtomically(out, files); // never a half-written model (docs/reliability.md)
  return Object.fromEntries(Object.entries(files).map(([f, b]) => [f, b.length])); // file → bytes
}

export function exitWithError(err: unknown): never {
  const e = err as Error;
  process.stderr.write(`\n${e?.name ?? 'Error'}: ${e?.message ?? String(err)}\n`);
  process.exit(err instanceof CliArgumentError ? 2 : 1);
}
