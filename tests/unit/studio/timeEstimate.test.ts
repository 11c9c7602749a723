// The time estimate before Run (src/store/estimate.ts estimateRunSeconds): proportional to the probe, to the
// samples and to the blocks; BESA's steps dominate a one-shot method's passes; an "all windows" evaluation is
// left out and said so. (How close it is on a real run is printed by e2e/studio-demo.spec.ts.)
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN } from '../../../src/prune/config';
import { estimateRunSeconds } from '../../../src/store/estimate';
import { tinyModelSpec } from '../../support/specs';

const spec = tinyModelSpec({ nLayers: 3 });
const probe = { msPerBlockForward: 20, seqlen: 128 };
const cfg = { ...DEFAULT_RUN, nsamples: 16, seqlen: 128, evalWindows: 0 };

describe('time estimate', () => {
  it('scales with the probe, the samples and the sequence length', () => {
    const base = estimateRunSeconds(spec, cfg, probe).seconds;
    expect(estimateRunSeconds(spec, cfg, { ...probe, msPerBlockForward: 40 }).seconds).toBeCloseTo(2 * base, 9);
    expect(estimateRunSeconds(spec, { ...cfg, nsamples: 32 }, probe).seconds).toBeCloseTo(2 * base, 9);
    expect(estimateRunSeconds(spec, { ...cfg, seqlen: 64 }, probe).seconds).toBeCloseTo(base / 2, 9);
    expect(estimateRunSeconds(tinyModelSpec({ nLayers: 6 }), cfg, probe).seconds).toBeCloseTo(2 * base, 9);
  });

  it('BESA costs its steps; Wanda only its two passes per block; the evaluation adds when counted', () => {
    const besa = estimateRunSeconds(spec, { ...cfg, method: 'besa' }, probe);
    const wanda = estimateRunSeconds(spec, { ...cfg, method: 'wanda' }, probe);
    expect(wanda.seconds).toBeCloseTo(3 * 2 * 16 * 0.02, 9); // 3 blocks × (dense + pruned pass) × 16 samples × 20 ms
    expect(besa.seconds).toBeGreaterThan(5 * wanda.seconds);
    expect(besa.evalCounted).toBe(false);
    const withEval = estimateRunSeconds(spec, { ...cfg, method: 'wanda', evalWindows: 8 }, probe);
    expect(withEval.evalCounted).toBe(true);
    expect(withEval.seconds).toBeGreaterThan(wanda.seconds);
  });
});
