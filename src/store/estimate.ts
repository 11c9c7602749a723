// Rough GPU memory need of a run, from the model's shapes and the run's sizes (f32 everywhere).
// WebGPU reports no total memory, so the panel compares against what it does report: the largest
// buffer / binding the adapter allows (a single tensor above that cannot be bound at all).
import { LINEAR_NAMES, linearShapes, type ModelSpec } from '../model/spec';
import type { RunConfig } from '../prune/config';

export interface MemoryEstimate {
  weights: number;
  activations: number; // X_p + Y_ref (+ dense chain) for all calibration samples, [n, T, C]
  workspace: number; // one block forward/backward at seqlen T
  besaState: number; // θ and optimiser state (θ, m, v, s, θ0), spec §1.3/§1.7
  total: number;
}

export function estimateRunMemory(spec: ModelSpec, params: number, cfg: RunConfig): MemoryEstimate {
  const f = 4;
  const { nsamples: n, seqlen: T } = cfg;
  const C = spec.dim;
  const chains = cfg.method === 'besa' && cfg.besa.target === 'dense-chain' ? 4 : 2;
  const activations = n * T * C * f * chains;
  const workspace = T * (8 * C + 4 * spec.ffnDim + 2 * spec.nHeads * T) * f * 2; // forward saved + backward
  const D = Math.round(1 / cfg.besa.candidateStep) + 1;
  const shapes = linearShapes(spec);
  const rows = LINEAR_NAMES.reduce((a, l) => a + shapes[l][0], 0);
  const besaState = cfg.method === 'besa' ? (cfg.besa.granularity === 'row' ? rows : LINEAR_NAMES.length) * D * f * 5 : 0;
  const weights = params * f;
  return { weights, activations, workspace, besaState, total: weights + activations + workspace + besaState };
}
