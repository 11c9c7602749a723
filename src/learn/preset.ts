// The run Learn mode drives (issue #14): BESA, unstructured, and enough calibration samples that each block
// takes at least 32 optimiser steps. Prodigy's step size starts at 1e-6 and only reaches the gradients'
// scale after about 12 steps, so on a shorter run the allocation never leaves its start and chapters 3–4
// would show flat lines (measured on micro: the layers leave 0.5 at steps 12–18; docs/learn.md).
import type { RunConfig } from '../prune/config';

export const LEARN_MIN_SAMPLES = 32;

/** What Learn changes in the settings before it starts a run; null when they already suit it. */
export function learnPatch(c: RunConfig, learner: RunConfig['method']): Partial<RunConfig> | null {
  const patch: Partial<RunConfig> = {};
  if (c.method !== learner) patch.method = learner;
  if (c.structure !== 'unstructured') patch.structure = 'unstructured';
  if (c.nsamples * c.besa.epochs < LEARN_MIN_SAMPLES) patch.nsamples = Math.ceil(LEARN_MIN_SAMPLES / c.besa.epochs);
  return Object.keys(patch).length ? patch : null;
}

/** The patch in words, for the notice Learn shows when it changes the settings. */
export function describeLearnPatch(p: Partial<RunConfig>): string {
  const parts: string[] = [];
  if (p.method) parts.push(`method ${p.method}`);
  if (p.structure) parts.push(`pattern ${p.structure}`);
  if (p.nsamples !== undefined) parts.push(`samples ${p.nsamples}`);
  return `Learn set ${parts.join(', ')}: the chapters follow a BESA run whose blocks take at least ${LEARN_MIN_SAMPLES} optimiser steps, long enough for the allocation to move.`;
}
