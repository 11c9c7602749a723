// Learn's preset (issue #14): a BESA run whose blocks take enough steps for the allocation to move.
import { describe, expect, it } from 'vitest';
import { CHAPTERS } from '../../../src/learn/chapters';
import { describeLearnPatch, LEARN_MIN_SAMPLES, learnPatch } from '../../../src/learn/preset';
import { STUDIO_DEFAULT } from '../../../src/store/configStore';

describe('learnPatch', () => {
  it('switches to BESA, unstructured, and at least 32 steps per block; leaves suitable settings alone', () => {
    const short = { ...STUDIO_DEFAULT, method: 'wanda' as const, structure: '2:4' as const, nsamples: 4 };
    expect(learnPatch(short, 'besa')).toEqual({ method: 'besa', structure: 'unstructured', nsamples: LEARN_MIN_SAMPLES });
    expect(learnPatch(STUDIO_DEFAULT, 'besa')).toBeNull(); // 64 samples already
    // epochs count: 2 passes over 16 samples are 32 steps
    expect(learnPatch({ ...STUDIO_DEFAULT, nsamples: 16, besa: { ...STUDIO_DEFAULT.besa, epochs: 2 } }, 'besa')).toBeNull();
    expect(learnPatch({ ...STUDIO_DEFAULT, nsamples: 8, besa: { ...STUDIO_DEFAULT.besa, epochs: 3 } }, 'besa')).toEqual({ nsamples: 11 });
    expect(describeLearnPatch({ method: 'besa', nsamples: 32 })).toMatch(/^Learn set method besa, samples 32: /);
  });

  it('the chapters step block 1 to step 28 before finishing it: within the 32 steps the preset guarantees', () => {
    const steps = CHAPTERS.slice(1, 4).map((c) => (c.action.kind === 'step' ? (c.action.n ?? 1) : 0));
    expect(steps.reduce((a, b) => a + b, 0)).toBe(28);
    expect(28).toBeLessThan(LEARN_MIN_SAMPLES);
    expect(CHAPTERS.map((c) => c.action.kind)).toEqual(['block', 'step', 'step', 'step', 'block', 'run']);
  });
});
