// The run ETA (src/prune/eta.ts, issue #14): on simulated runs whose blocks have a large fixed part (dense and
// pruned passes) and a slow first step, the estimate is within 2× of the true time left from the first step
// on, and it moves with every step and block instead of freezing. A plain elapsed/steps rate is shown to miss.
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/prune/events';
import { CpuBlockExecutor } from '../../../src/prune/executor';
import { RunEta } from '../../../src/prune/eta';
import { runPipeline } from '../../../src/prune/pipeline';
import { calibIds, loadMicro, microConfig } from './engineFixture';

interface Sim {
  blocks: number;
  samples: number;
  steps: number;
  dense: number;
  first: number;
  step: number;
  pruned: number;
}

/** [time, estimate, true time left] after every step (and every block end) of a simulated run. */
function simulate(s: Sim): { t: number; est: number | undefined; left: number; naive?: number }[] {
  const total = s.blocks * (s.dense + s.pruned + (s.steps ? s.first + (s.steps - 1) * s.step : 0));
  const eta = new RunEta(s.blocks, s.steps, s.samples);
  const out: { t: number; est: number | undefined; left: number; naive?: number }[] = [];
  let t = 0;
  let units = 0;
  for (let b = 0; b < s.blocks; b++) {
    eta.blockStart(t);
    t += s.dense;
    eta.denseDone(t);
    for (let k = 0; k < s.steps; k++) {
      t += k === 0 ? s.first : s.step;
      eta.stepDone(t);
      units++;
      out.push({ t, est: eta.remaining(t), left: total - t, naive: (t / units) * (s.blocks * s.steps - units) });
    }
    t += s.pruned;
    eta.blockDone(t);
    out.push({ t, est: eta.remaining(t), left: total - t });
  }
  return out;
}

describe('run ETA', () => {
  // the default model on a software adapter: 64 samples, a dense pass of 64 forwards, steps of ~3 forwards
  const besa: Sim = { blocks: 3, samples: 64, steps: 64, dense: 60, first: 12, step: 4, pruned: 60 };

  it('BESA-like run: within 2× of the truth from the first step on, never frozen, never jumping up much', () => {
    const pts = simulate(besa);
    for (const p of pts.filter((x) => x.left > 1)) {
      expect(p.est, `at t=${p.t}`).toBeDefined();
      expect(p.est! / p.left, `at t=${p.t}: ${p.est} vs ${p.left}`).toBeGreaterThan(0.5);
      expect(p.est! / p.left, `at t=${p.t}: ${p.est} vs ${p.left}`).toBeLessThan(2);
    }
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i].est, `at t=${pts[i].t}`).not.toBe(pts[i - 1].est); // it moves with every step and block
      expect(pts[i].est!, `at t=${pts[i].t}`).toBeLessThanOrEqual(1.3 * pts[i - 1].est!); // the second step corrects the prior
    }
    expect(pts.at(-1)!.est).toBe(0);
    // the plain rate (elapsed / steps done) is many times too high at the first step
    expect(pts[0].naive! / pts[0].left).toBeGreaterThan(5);
  });

  it('one-shot methods (no steps): the fixed part of finished blocks, exact on even blocks', () => {
    const pts = simulate({ blocks: 4, samples: 8, steps: 0, dense: 5, first: 0, step: 0, pruned: 5 });
    expect(pts.map((p) => p.est)).toEqual([30, 20, 10, 0]);
  });

  it('nothing timed yet: no estimate rather than a wrong one', () => {
    const eta = new RunEta(3, 8);
    expect(eta.remaining(0)).toBeUndefined();
    eta.blockStart(0);
    expect(eta.remaining(1)).toBeUndefined();
  });

  it('the pipeline labels every phase, blocks 0-based, with an ETA once something is timed', async () => {
    const m = await loadMicro();
    const cfg = microConfig({ method: 'besa', nsamples: 3, seqlen: 16 });
    const labels: { label: string; eta?: number }[] = [];
    await runPipeline({
      model: m,
      config: cfg,
      calibrationIds: calibIds(m, cfg),
      executor: new CpuBlockExecutor(m.spec),
      onEvent: (e: EngineEvent) => e.type === 'progress' && labels.push({ label: e.label, eta: e.etaSeconds }),
    });
    expect(labels.map((l) => l.label)).toEqual([
      'block 0 (1 of 2) dense pass over 3 samples',
      'block 0 (1 of 2) step 1/3',
      'block 0 (1 of 2) step 2/3',
      'block 0 (1 of 2) step 3/3',
      'block 0 (1 of 2) pruned pass',
      'block 1 (2 of 2) dense pass over 3 samples',
      'block 1 (2 of 2) step 1/3',
      'block 1 (2 of 2) step 2/3',
      'block 1 (2 of 2) step 3/3',
      'block 1 (2 of 2) pruned pass',
    ]);
    expect(labels[0].eta).toBeUndefined(); // nothing timed yet
    for (const l of labels.slice(1)) expect(l.eta).toBeGreaterThanOrEqual(0);
  });
});
