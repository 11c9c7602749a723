// Real model shapes (issue #11, docs/real-models.md §5): synthetic bf16 checkpoints with the exact shapes
// of SmolLM2-135M (30 blocks, one file) and Qwen2.5-0.5B (24 blocks, two shards) are written to a temp
// folder, loaded through the real loader, and their first block is pruned by the real pipeline with BESA
// (4 × 128 calibration tokens, row-wise, Prodigy) on the WASM engine with every core. Reported: load
// time, time per BESA step and per block, the bytes the loaded weights hold against the file's, and the
// process's peak resident memory (getrusage maxRSS, so synchronous WASM work is included) above the
// baseline before loading, measured in a fresh child process per shape.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeSyntheticCheckpoint, type SyntheticShapeName } from '../src/cli/synthetic';
import { loadModel } from '../src/model/loader';
import { nodeDirSource } from '../src/model/sourceNode';
import { LINEAR_NAMES, linearOf, type StoredWeights } from '../src/model/spec';
import { bytesOf } from '../src/model/weightArray';
import { sampleCalibration, tokenizeCorpus } from '../src/data/windows';
import { DEFAULT_RUN } from '../src/prune/config';
import { runPipeline } from '../src/prune/pipeline';
import { WasmBlockExecutor } from '../src/prune/wasmExecutor';
import { nodeWasmThreading } from '../src/wasm/threadsNode';
import { printTable } from './util';

const MiB = 2 ** 20;
const peakRssBytes = () => process.resourceUsage().maxRSS * 1024;

function storedBytes(w: StoredWeights): number {
  let n = bytesOf(w.embed) + (w.lmHead === w.embed ? 0 : bytesOf(w.lmHead));
  for (const b of w.blocks) for (const l of LINEAR_NAMES) n += bytesOf(linearOf(b, l).w);
  return n;
}

/** Load `dir` and prune its block 0 in this (fresh) process; the numbers as one JSON line on stdout. */
async function measure(dir: string, nsamples: number, seqlen: number): Promise<void> {
  const text = readFileSync('public/data/sotu-calib.txt', 'utf8').slice(0, 200_000);
  const base = process.memoryUsage().rss;
  const t0 = performance.now();
  const m = await loadModel(nodeDirSource(dir));
  const loadS = (performance.now() - t0) / 1000;
  const cfg = { ...DEFAULT_RUN, method: 'besa' as const, nsamples, seqlen, evalWindows: 0 };
  const calib = sampleCalibration(tokenizeCorpus(m.tokenizer, text), nsamples, seqlen, 0).ids;
  // One block: the pipeline over a view of the model that ends after block 0 (no weights copied).
  const one = { ...m, spec: { ...m.spec, nLayers: 1 }, weights: { ...m.weights, blocks: m.weights.blocks.slice(0, 1) } };
  const exec = await WasmBlockExecutor.create(m.spec, nodeWasmThreading());
  const stepMs: number[] = [];
  let last = performance.now();
  const t1 = performance.now();
  const r = await runPipeline({
    model: one,
    config: cfg,
    calibrationIds: calib,
    executor: exec,
    onEvent: (e) => {
      if (e.type === 'block-start') last = performance.now();
      if (e.type !== 'step') return;
      stepMs.push(performance.now() - last);
      last = performance.now();
    },
  });
  const blockS = (performance.now() - t1) / 1000;
  exec.kernels.dispose();
  stepMs.sort((a, b) => a - b);
  const out = {
    spec: m.spec,
    held: storedBytes(m.weights),
    loadS,
    stepMs: stepMs[Math.floor(stepMs.length / 2)],
    blockS,
    peak: peakRssBytes() - base,
    sparsity: r.blocks[0].blockSparsity,
    engine: exec.adapter,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

export async function benchScale(nsamples = 4, seqlen = 128): Promise<void> {
  console.log(`\n## Real model shapes: synthetic bf16 checkpoints, BESA on block 0 (${nsamples} × ${seqlen} tokens, WASM engine)\n`);
  const rows: (string | number)[][] = [];
  const shapes: SyntheticShapeName[] = ['smollm2-135m', 'qwen2.5-0.5b'];
  for (const name of shapes) {
    const dir = mkdtempSync(join(tmpdir(), `besa-scale-${name}-`));
    try {
      const { weightBytes } = await writeSyntheticCheckpoint(dir, name);
      // A fresh process per shape: its peak RSS is the load and the block alone, not this one's history.
      const json = execFileSync(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), dir, String(nsamples), String(seqlen)],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
          maxBuffer: 1 << 20,
        },
      );
      const r = JSON.parse(json.trim().split('\n').pop()!) as Measured;
      rows.push([
        name,
        `${r.spec.nLayers} × ${r.spec.dim}/${r.spec.ffnDim}, V ${r.spec.vocabSize}`,
        (weightBytes / MiB).toFixed(0),
        (r.held / MiB).toFixed(0),
        r.loadS.toFixed(1),
        r.stepMs.toFixed(0),
        r.blockS.toFixed(1),
        (r.peak / MiB).toFixed(0),
        (r.peak / weightBytes).toFixed(2),
        r.sparsity.toFixed(4),
        r.engine,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  printTable(
    [
      'shape',
      'blocks × C/F, vocab',
      'file MiB',
      'held MiB',
      'load s',
      'step ms (median)',
      'block s',
      'peak RSS − base MiB',
      'peak / file',
      'block sparsity',
      'engine',
    ],
    rows,
  );
  console.log(
    '\nheld = bytes of the loaded weight matrices (bf16 views into the file). peak RSS − base: a fresh process, from just before ' +
      'loading to the end of the block (file bytes, tokenizer, calibration activations, one block in f32, the WASM heap).',
  );
}

interface Measured {
  spec: { nLayers: number; dim: number; ffnDim: number; vocabSize: number };
  held: number;
  loadS: number;
  stepMs: number;
  blockS: number;
  peak: number;
  sparsity: number;
  engine: string;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dir, n, t] = process.argv.slice(2);
  measure(dir, Number(n), Number(t)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
