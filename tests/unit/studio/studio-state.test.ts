// Studio state that is pure TypeScript: URL-hash (de)serialisation of the RunConfig, the event-fed
// run store, and the Worker's pause/step controller against the real pipeline's pause points.
import type { LayerSparsity } from '../../../src/prune/events';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BESA } from '../../../src/prune/config';
import type { EngineEvent } from '../../../src/prune/events';
import { formatHash, parseHash, STUDIO_DEFAULT } from '../../../src/store/configStore';
import { runStore } from '../../../src/store/runStore';
import { RunController } from '../../../src/prune/controller';

describe('URL hash', () => {
  it('round-trips every field of a non-default config, seed included', () => {
    const cfg = {
      ...STUDIO_DEFAULT,
      method: 'sparsegpt' as const,
      structure: '4:8' as const,
      sparsity: 0.5,
      nsamples: 7,
      seqlen: 33,
      seed: 12,
      evalWindows: 0,
      evalDatasets: ['wikitext2-test', 'sotu-eval'],
      besa: {
        ...DEFAULT_BESA,
        granularity: 'layer' as const,
        lambda: 2.5,
        candidateStep: 0.02,
        optimizer: 'adam' as const,
        dCoef: 0.05,
        adamLr: 0.003,
        epochs: 2,
        sigmoid: false,
        target: 'dense-chain' as const,
        importance: 'weight' as const,
        finalMask: 'reference' as const,
      },
      magnitudeGranularity: 'row' as const,
      sparsegptPercdamp: 0.02,
      sparsegptBlocksize: 64,
    };
    const back = parseHash(formatHash(cfg, 'micro'));
    expect(back.config).toEqual(cfg);
    expect(back.modelName).toBe('micro');
    expect(back.ignored).toEqual([]);
  });

  it('ignores invalid values instead of throwing, and names them', () => {
    const r = parseHash('#sparsity=1.5&samples=-2&method=rm&seed=3&sigmoid=maybe&model=../x');
    expect(r.config.sparsity).toBe(STUDIO_DEFAULT.sparsity);
    expect(r.config.nsamples).toBe(STUDIO_DEFAULT.nsamples);
    expect(r.config.method).toBe(STUDIO_DEFAULT.method);
    expect(r.config.seed).toBe(3);
    expect(r.ignored.sort()).toEqual(['method', 'samples', 'sigmoid', 'sparsity']);
    expect(r.modelName).toBe('');
    // each problem in words: the studio's name, the value, what is allowed, what was kept
    expect(r.problems).toContain('target sparsity "1.5" [sparsity]: must be a number in (0, 1); kept 0.5');
    expect(r.problems).toContain('samples "-2" [samples]: must be an integer >= 1; kept 64');
    expect(r.problems).toContain('sigmoid "maybe" [sigmoid]: must be 1 (on) or 0 (off); kept 1');
    expect(
      r.problems.find((p) => p.startsWith('model "../x" [model]: not found; the bundled models are sotu-llama-3m, sotu-gpt2-3m, micro')),
    ).toBeDefined();
    expect(r.problems).toHaveLength(5);
    expect(parseHash('#model=micro&seed=4').problems).toEqual([]);
  });

  it('carries the engine only when it is not auto, and ignores an unknown engine by name', () => {
    expect(formatHash(STUDIO_DEFAULT, 'micro')).not.toContain('engine=');
    expect(formatHash(STUDIO_DEFAULT, 'micro', 'auto')).not.toContain('engine=');
    for (const engine of ['webgpu', 'wasm', 'cpu'] as const) {
      const h = formatHash(STUDIO_DEFAULT, 'micro', engine);
      expect(h).toContain(`engine=${engine}`);
      expect(parseHash(h)).toMatchObject({ engine, ignored: [] });
    }
    expect(parseHash('#model=micro').engine).toBe('auto');
    expect(parseHash('#model=micro&engine=tpu')).toMatchObject({ engine: 'auto', ignored: ['engine'] });
  });
});

describe('run store', () => {
  const ls = (x: number) => ({ q: x, k: x, v: x, o: x, gate: x, up: x, down: x }) as LayerSparsity;
  it('keeps one point per step per block and marks a cancelled in-progress block dense', () => {
    const s = runStore.getState();
    const ev: EngineEvent[] = [
      {
        type: 'run-start',
        runId: 'r',
        config: STUDIO_DEFAULT,
        model: { name: 'm', sha256: 'h', nLayers: 3, params: 1 },
        adapter: 'cpu',
        startBlock: 1,
      },
      { type: 'block-start', block: 1, nBlocks: 3, totalSteps: 2 },
      { type: 'step', block: 1, step: 0, totalSteps: 2, reconLoss: 0.3, penalty: 0, layerSparsity: ls(0.5), blockSparsity: 0.5 },
      {
        type: 'step',
        block: 1,
        step: 1,
        totalSteps: 2,
        reconLoss: 0.2,
        penalty: 0.01,
        layerSparsity: ls(0.48),
        blockSparsity: 0.48,
        d: 1e-5,
      },
      {
        type: 'block-end',
        block: 1,
        layerSparsity: ls(0.47),
        blockSparsity: 0.47,
        lossBefore: 0.3,
        lossAfter: 0.2,
        seconds: 1,
        etaSeconds: 1,
      },
      { type: 'block-start', block: 2, nBlocks: 3, totalSteps: 2 },
      { type: 'step', block: 2, step: 0, totalSteps: 2, reconLoss: 0.4, penalty: 0, layerSparsity: ls(0.5), blockSparsity: 0.5 },
      { type: 'run-end', status: 'cancelled', seconds: 2 },
    ];
    ev.forEach((e) => s.ingest(e));
    const st = runStore.getState();
    expect(st.blocks.map((b) => b.status)).toEqual(['pruned', 'pruned', 'dense']);
    expect(st.blocks[0].resumed).toBe(true); // pruned in an earlier session (startBlock 1)
    expect(st.blocks[1].steps.map((p) => [p.step, p.recon, p.total, p.q])).toEqual([
      [0, 0.3, 0.5, 0.5],
      [1, 0.2, 0.48, 0.48],
    ]);
    expect(st.blocks[1].final?.blockSparsity).toBe(0.47);
    expect(st.status).toBe('cancelled');
    expect(st.eventCounts.step).toBe(3);
  });
});

describe('RunController (studio start modes)', () => {
  /** Simulates the pipeline's pause points: per block, 'block' then 'step' before each of `steps` steps. */
  async function drive(ctl: RunController, blocks: number, steps: number, log: string[]): Promise<void> {
    for (let b = 0; b < blocks; b++) {
      await ctl.waitIfPaused('block');
      for (let s = 0; s < steps; s++) {
        await ctl.waitIfPaused('step');
        log.push(`${b}.${s}`);
      }
    }
    log.push('end');
  }
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('step runs exactly one optimiser step per call, block finishes the current block only', async () => {
    const ctl = new RunController(false, 'step');
    const log: string[] = [];
    const run = drive(ctl, 3, 3, log);
    await settle();
    expect(log).toEqual(['0.0']);
    ctl.stepOnce();
    await settle();
    expect(log).toEqual(['0.0', '0.1']);
    ctl.stepBlock(); // mid-block: finishes block 0 only
    await settle();
    expect(log).toEqual(['0.0', '0.1', '0.2']);
    ctl.stepBlock(); // at the start of block 1: runs all of block 1
    await settle();
    expect(log.slice(3)).toEqual(['1.0', '1.1', '1.2']);
    ctl.resume();
    await run;
    expect(log.slice(6)).toEqual(['2.0', '2.1', '2.2', 'end']);
  });

  it('stepMany runs n steps and pauses, across a block boundary; a run can start with n steps', async () => {
    const ctl = new RunController(false, 'step', 2);
    const log: string[] = [];
    const run = drive(ctl, 3, 3, log);
    await settle();
    expect(log).toEqual(['0.0', '0.1']);
    ctl.stepMany(3); // the last step of block 0, then two of block 1
    await settle();
    expect(log.slice(2)).toEqual(['0.2', '1.0', '1.1']);
    ctl.stepBlock(); // a block step after a multi-step: finishes block 1 only
    await settle();
    expect(log.slice(5)).toEqual(['1.2']);
    ctl.stepMany(0); // at least one step
    await settle();
    expect(log.slice(6)).toEqual(['2.0']);
    ctl.resume();
    await run;
    expect(log.slice(7)).toEqual(['2.1', '2.2', 'end']);
  });

  it('a run started in block mode does one block; one-shot methods step one block per step', async () => {
    const ctl = new RunController(false, 'block');
    const log: string[] = [];
    const run = drive(ctl, 2, 2, log);
    await settle();
    expect(log).toEqual(['0.0', '0.1']);
    ctl.resume();
    await run;
    const one = new RunController(true, 'block');
    const log2: string[] = [];
    const run2 = (async () => {
      for (let b = 0; b < 3; b++) {
        await one.waitIfPaused('step');
        log2.push(`b${b}`);
      }
    })();
    await settle();
    expect(log2).toEqual(['b0']);
    one.stepBlock();
    await settle();
    expect(log2).toEqual(['b0', 'b1']);
    one.resume();
    await run2;
  });

  it('an aborted signal releases a paused wait', async () => {
    const ctl = new RunController(false, 'pause');
    const ac = new AbortController();
    let passed = false;
    const w = ctl.waitIfPaused('block', ac.signal).then(() => (passed = true));
    await settle();
    expect(passed).toBe(false);
    ac.abort();
    await w;
    expect(passed).toBe(true);
  });
});
