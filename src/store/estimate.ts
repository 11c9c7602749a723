// Rough GPU memory need of a run, from the model's shapes and the run's sizes (f32 everywhere).
// WebGPU reports no total memory, so the panel compares against what it does report: the largest
// buffer / binding the adapter allows (a single tensor above that cannot be bound at all).
import type { ModelSpec } from '../model/spec';
import type { RunConfig } from '../prune/config';
import { methodOf } from '../prune/methods/registry';

export interface MemoryEstimate {
  weights: number;
  activations: number; // X_p + Y_ref (+ dense chain) for all calibration samples, [n, T, C]
  workspace: number; // one block forward/backward at seqlen T
  besaState: number; // θ and optimiser state (θ, m, v, s, θ0), docs/besa.md §1.3/§1.7
  total: number;
}

export function estimateRunMemory(spec: ModelSpec, params: number, cfg: RunConfig): MemoryEstimate {
  const f = 4;
  const { nsamples: n, seqlen: T } = cfg;
  const C = spec.dim;
  const method = methodOf(cfg.method);
  const chains = method.usesDenseChain(cfg) ? 4 : 2;
  const activations = n * T * C * f * chains;
  const workspace = T * (8 * C + 4 * spec.ffnDim + 2 * spec.nHeads * T) * f * 2; // forward saved + backward
  const besaState = method.learnedParams(cfg, spec) * f * 5; // θ, m, v, s, θ0
  const weights = params * f;
  return { weights, activations, workspace, besaState, total: weights + activations + workspace + besaState };
}
