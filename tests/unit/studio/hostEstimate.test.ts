// The host memory estimate shown before Run (src/store/estimate.ts, docs/real-models.md §2) on a
// synthetic SmolLM2-135M-shape checkpoint: the weights count as stored (bf16 = 2 bytes), every block
// keeps a bitset of its zeros (SparseGPT: a copy), and the block being pruned costs the method's per-weight
// arrays in f32 (BESA 6, one-shot 2); the card's numbers come from the loaded weights.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticCheckpoint } from '../../../src/cli/synthetic';
import { loadModel } from '../../../src/model/loader';
import { nodeDirSource } from '../../../src/model/sourceNode';
import { DEFAULT_RUN } from '../../../src/prune/config';
import { estimateHostMemory } from '../../../src/store/estimate';
import { modelCard } from '../../../src/worker/modelCard';

const tmp = mkdtempSync(join(tmpdir(), 'besa-est-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('host memory estimate', () => {
  it('counts bf16 weights as stored, a bitset per pruned linear (a copy for SparseGPT), and the block per method', async () => {
    const dir = join(tmp, 'smol');
    await writeSyntheticCheckpoint(dir, 'smollm2-135m', { layers: 2 });
    const m = await loadModel(nodeDirSource(dir));
    const card = modelCard(m, null);
    const linearWeights = 2 * (2 * 576 * 576 + 2 * 576 * 192 + 3 * 576 * 1536);
    expect(card.storedLinearBytes).toBe(2 * linearWeights); // bf16
    const file = statSync(join(dir, 'model.safetensors')).size;
    expect(file - card.storedBytes).toBeGreaterThan(0); // the header and the norms (small; widened to f32 at load, not counted)
    expect((file - card.storedBytes) / file).toBeLessThan(0.01);
    const cfg = { ...DEFAULT_RUN, nsamples: 4, seqlen: 128 };
    const besa = estimateHostMemory(m.spec, card, { ...cfg, method: 'besa' });
    const wanda = estimateHostMemory(m.spec, card, { ...cfg, method: 'wanda' });
    expect(besa.weights).toBe(card.storedBytes);
    expect(besa.prunedCopies).toBe(Math.ceil(linearWeights / 8)); // a bitset per linear over the bf16 weights
    expect(estimateHostMemory(m.spec, card, { ...cfg, method: 'sparsegpt' }).prunedCopies).toBe(card.storedLinearBytes);
    expect(besa.block).toBe(6 * 4 * (linearWeights / 2));
    expect(wanda.block).toBe(2 * 4 * (linearWeights / 2));
    expect(besa.activations).toBe(3 * 4 * 4 * 128 * 576);
    expect(besa.total).toBe(besa.weights + besa.prunedCopies + besa.block + besa.activations);
  });
});
