// Every pruning method on the tiny GPT-2 fixture (tests/fixtures/gpt2-tiny, HF layout): the one pipeline
// runs the GPT-2 block through the same executors and methods as LLaMA (docs/gpt2.md §3). Checks what each
// method guarantees (exact per-row / per-group sparsity, BESA's target), that the pruned weights export
// back to HF's Conv1D layout with the zeros in place, and that the WASM engine gives the CPU's masks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { exportHfFiles, storedBytes } from '../../../src/model/export';
import { loadModel } from '../../../src/model/loader';
import { weightsFromHf, weightsToHf } from '../../../src/model/hfweights';
import { parseSafetensors, writeSafetensors } from '../../../src/model/safetensors';
import { nodeDirSource } from '../../../src/model/sourceNode';
import { GPT2_LINEAR_NAMES, linearOf, weightsToF32 } from '../../../src/model/spec';
import { DiskCheckpointStore } from '../../../src/cli/diskCheckpoint';
import type { RunConfig } from '../../../src/prune/config';
import type { EngineEvent } from '../../../src/prune/events';
import { CpuBlockExecutor } from '../../../src/prune/executor';
import { runPipeline } from '../../../src/prune/pipeline';
import { WasmBlockExecutor } from '../../../src/prune/wasmExecutor';
import { microConfig, ROOT } from './engineFixture';

const DIR = join(ROOT, 'tests/fixtures/gpt2-tiny');
const load = () => loadModel(nodeDirSource(DIR), { tokenizerOptional: true });

function calib(cfg: RunConfig, vocab: number): Int32Array {
  const rng = new Rng(77);
  return Int32Array.from({ length: cfg.nsamples * cfg.seqlen }, () => rng.int(vocab));
}

async function prune(over: Partial<RunConfig>, exec?: 'cpu' | 'wasm') {
  const model = await load();
  const config = microConfig({ nsamples: 4, seqlen: 20, ...over });
  const executor = exec === 'wasm' ? await WasmBlockExecutor.create(model.spec) : new CpuBlockExecutor(model.spec);
  const r = await runPipeline({ model, config, calibrationIds: calib(config, model.spec.vocabSize), executor });
  if (executor instanceof WasmBlockExecutor) executor.kernels.dispose();
  return { model, r, w: weightsToF32(r.weights) };
}

const zerosPerRow = (w: Float32Array, rows: number, cols: number) =>
  Array.from({ length: rows }, (_, r) => w.subarray(r * cols, (r + 1) * cols).filter((v) => v === 0).length);

describe('pruning methods on GPT-2 (tiny HF fixture, CPU executor)', () => {
  for (const method of ['magnitude', 'wanda', 'sparsegpt'] as const) {
    // magnitude (per row) and Wanda prune each row; SparseGPT picks its mask per 128-column block over all rows
    const what = method === 'sparsegpt' ? 'half of each linear' : 'half of every row';
    it(`${method} 50% unstructured prunes ${what} of all 6 linears (q/k/v each its own)`, async () => {
      const { r, w } = await prune({ method, sparsity: 0.5, magnitudeGranularity: 'row' });
      expect(r.status).toBe('completed');
      expect(Object.keys(r.blocks[0].layerSparsity)).toEqual([...GPT2_LINEAR_NAMES]);
      for (const b of w.blocks)
        for (const n of GPT2_LINEAR_NAMES) {
          const l = linearOf(b, n);
          const perRow = zerosPerRow(l.w, l.out, l.in);
          const zeros = perRow.reduce((a, z) => a + z, 0);
          // the reference's `tmp <= sort(tmp)[k]` keeps the threshold element too: one extra zero per column block
          if (method === 'sparsegpt')
            expect(zeros - (l.out * l.in) / 2, n).toBeOneOf([0, ...Array.from({ length: Math.ceil(l.in / 128) }, (_, i) => i + 1)]);
          else expect(new Set(perRow), n).toEqual(new Set([l.in / 2]));
        }
    });

    it(`${method} 2:4 keeps at most 2 of every 4 weights along the input`, async () => {
      const { w } = await prune({ method, structure: '2:4', sparsity: 0.5 });
      for (const b of w.blocks)
        for (const n of GPT2_LINEAR_NAMES) {
          const l = linearOf(b, n).w;
          for (let g = 0; g < l.length; g += 4) expect(l.subarray(g, g + 4).filter((v) => v === 0).length).toBe(2);
        }
    });
  }

  it('BESA learns a per-row allocation whose block sparsity is the target; export keeps it in Conv1D layout', async () => {
    const { model, r, w } = await prune({ method: 'besa', sparsity: 0.5, nsamples: 8, besa: { ...microConfig().besa, epochs: 2 } });
    for (const b of r.blocks) {
      expect(Math.abs(b.blockSparsity - 0.5)).toBeLessThan(2e-3);
      const s = GPT2_LINEAR_NAMES.map((n) => b.expectedSparsity![n]);
      expect(Math.max(...s) - Math.min(...s)).toBeGreaterThan(1e-3); // θ moved: a learned, non-uniform allocation
    }
    const back = weightsToF32(weightsFromHf(model.spec, parseSafetensors(writeSafetensors(weightsToHf(model.spec, r.weights)))));
    for (const [i, b] of w.blocks.entries())
      for (const n of GPT2_LINEAR_NAMES) expect(linearOf(back.blocks[i], n).w, `${i}.${n}`).toEqual(linearOf(b, n).w);
    // compressed-tensors does not compress Conv1D: no sparse sizes, and a sparse export is refused by name
    const sizes = storedBytes(model.spec, r.weights);
    expect(sizes['sparse-bitmask']).toBeNull();
    expect(sizes.dense).toBe(exportHfFiles(model.spec, r.weights)['model.safetensors'].length);
    expect(() => exportHfFiles(model.spec, r.weights, { format: 'sparse-bitmask' })).toThrow(/Conv1D.*export it dense/);
  });

  it('the WASM executor gives the CPU executor’s BESA masks', async () => {
    const cfg = { method: 'besa' as const, sparsity: 0.5 };
    const [cpu, wasm] = [await prune(cfg, 'cpu'), await prune(cfg, 'wasm')];
    let differ = 0;
    let total = 0;
    for (const [i, b] of cpu.w.blocks.entries())
      for (const n of GPT2_LINEAR_NAMES) {
        const a = linearOf(b, n).w;
        const c = linearOf(wasm.w.blocks[i], n).w;
        for (let j = 0; j < a.length; j++) differ += (a[j] === 0) !== (c[j] === 0) ? 1 : 0;
        total += a.length;
      }
    // f32 (WASM) vs f64 (reference) accumulation can flip a near-tie in the ranking; nothing more
    expect(differ / total).toBeLessThan(1e-3);
  });

  it('Ctrl-C inside a GPT-2 block and --resume through the disk checkpoint end bit-identical to an uninterrupted run', async () => {
    const model = await load();
    const config = microConfig({ method: 'besa', nsamples: 5, seqlen: 20 });
    const base = { model, config, calibrationIds: calib(config, model.spec.vocabSize), executor: new CpuBlockExecutor(model.spec) };
    const full = weightsToF32((await runPipeline(base)).weights);
    const dir = mkdtempSync(join(tmpdir(), 'besa-gpt2-ckpt-'));
    try {
      const ac = new AbortController();
      const onEvent = (e: EngineEvent) => e.type === 'step' && e.block === 1 && e.step === 2 && ac.abort();
      const cut = await runPipeline({ ...base, checkpoint: new DiskCheckpointStore(dir), signal: ac.signal, onEvent });
      expect([cut.status, cut.completedBlocks]).toEqual(['cancelled', 1]);
      // block 1's θ and optimiser state were saved on cancel, with the GPT-2 block's 6 θ arrays
      const saved = (await new DiskCheckpointStore(dir).load())!.partial!;
      expect([saved.step, saved.theta.length]).toEqual([3, 6]);
      const res = await runPipeline({ ...base, checkpoint: new DiskCheckpointStore(dir), resume: true });
      expect(res.status).toBe('completed');
      weightsToF32(res.weights).blocks.forEach((b, i) =>
        GPT2_LINEAR_NAMES.forEach((n) => expect(linearOf(b, n).w, `block ${i} ${n}`).toEqual(linearOf(full.blocks[i], n).w)),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
