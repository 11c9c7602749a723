// Golden test against the independent PyTorch implementation (tests/fixtures/micro/README.md §(e),
// tools/fixtures_algos.py): micro block 0 q_proj [32, 32], down_proj [32, 88] and a synthetic
// [20, 260] layer (three SparseGPT blocks, so the lazy batched update is exercised).
// The reference computes in float64 and stores F32; so do we (f64 internally), hence masks must be
// equal and weights agree to f32 storage precision.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSafetensors } from '../../../src/model/safetensors';
import { HessianStats, WandaStats } from '../../../src/prune/methods/stats';
import { pruneWanda, wandaScores } from '../../../src/prune/methods/wanda';
import { pruneSparseGpt } from '../../../src/prune/methods/sparsegpt';
import { expectClose } from '../../support/close';

const dir = new URL('../../fixtures/micro/', import.meta.url);
const st = parseSafetensors(new Uint8Array(readFileSync(new URL('golden.safetensors', dir))), 'golden.safetensors');
const meta = JSON.parse(readFileSync(new URL('golden.json', dir), 'utf8')) as Record<string, unknown>;

/** Golden keep masks are 1 = kept; ours are 1 = pruned. */
function prunedFromKeep(keep: Float32Array): number[] {
  return Array.from(keep, (k) => (k === 1 ? 0 : 1));
}

describe.each(['q', 'down', 'synth'])('golden PyTorch Wanda/SparseGPT: prune.%s', (name) => {
  const [out, inF] = st.info(`prune.${name}.w`).shape;
  const w = st.f32(`prune.${name}.w`);
  const x = st.f32(`prune.${name}.x`); // [N, in], ONE calibration sequence
  const layer = { w, out, in: inF };
  const ws = new WandaStats(inF);
  ws.addBatch(x, 1);
  const hs = new HessianStats(inF);
  hs.addBatch(x, 1);
  const H = hs.hessian();

  it('Wanda metric and masks (50 % per row, 2:4) equal the reference', () => {
    expectClose(wandaScores(layer, ws.scalerRow), st.f32(`prune.${name}.wanda_metric`), { atol: 1e-7, rtol: 1e-6 });
    expect(Array.from(pruneWanda(layer, ws.scalerRow, { sparsity: 0.5 }).mask)).toEqual(
      prunedFromKeep(st.f32(`prune.${name}.wanda_keep50`)),
    );
    expect(Array.from(pruneWanda(layer, ws.scalerRow, { nm: '2:4' }).mask)).toEqual(prunedFromKeep(st.f32(`prune.${name}.wanda_keep24`)));
  });

  if (name !== 'synth') {
    // the fixture stores H for q and down only
    it('Hessian 2·XᵀX equals the reference', () => {
      expectClose(H, st.f32(`prune.${name}.sgpt_h`), { atol: 1e-5, rtol: 1e-6 });
    });
  }

  for (const [tag, opts] of [
    ['50', { sparsity: 0.5 }],
    ['24', { nm: '2:4' }],
  ] as const) {
    it(`SparseGPT ${tag === '50' ? '50 %' : '2:4'}: mask, zero count, weights and Losses equal the reference`, () => {
      const r = pruneSparseGpt(layer, H, { ...opts, blocksize: 128, percdamp: 0.01 });
      expect(r.retries).toBe(0);
      expect(Array.from(r.mask)).toEqual(prunedFromKeep(st.f32(`prune.${name}.sgpt_keep${tag}`)));
      expect(r.pruned).toBe(meta[`prune.${name}.sgpt_zeros${tag}`]);
      expectClose(r.weights, st.f32(`prune.${name}.sgpt_w${tag}`), { atol: 1e-6, rtol: 1e-5 });
      expectClose(r.losses, st.f32(`prune.${name}.sgpt_losses${tag}`), { atol: 1e-9, rtol: 1e-5 });
    });
  }
});
