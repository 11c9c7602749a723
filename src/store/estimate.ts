// Rough GPU and host memory need of a run, from the model's shapes and the run's sizes.
// WebGPU reports no total memory, so the panel compares against what it does report: the largest
// buffer / binding the adapter allows (a single tensor above that cannot be bound at all).
import { linearShapes, type ModelSpec } from '../model/spec';
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

export interface HostMemoryEstimate {
  weights: number; // the checkpoint's matrices as stored (views into the file bytes)
  prunedCopies: number; // every finished block's 7 linears: a bitset over 16-bit weights, else a copy (SparseGPT, f32)
  block: number; // one block in f32 and the method's per-weight state (BESA: sort order, masks, gradients)
  activations: number;
  total: number;
}

/**
 * Host memory of a run (docs/real-models.md §2): what the Worker holds at the end of the run, when every
 * block is pruned. Per weight of the block being pruned: BESA keeps about 6 f32-sized arrays
 * (W, W⊙M, M, dL/dM, sort order, scratch), a one-shot method 2 (W and the pruned W); SparseGPT adds
 * one Hessian [in, in] per distinct linear input.
 */
export function estimateHostMemory(
  spec: ModelSpec,
  stored: { storedBytes: number; storedLinearBytes: number },
  cfg: RunConfig,
): HostMemoryEstimate {
  const method = methodOf(cfg.method);
  const blockWeights = Object.values(linearShapes(spec)).reduce((a, [o, i]) => a + o * i, 0);
  const perWeight = method.learnsPerStep ? 6 : 2;
  const hessians =
    cfg.method === 'sparsegpt'
      ? 8 * (3 * spec.dim * spec.dim + spec.nHeads * spec.headDim * spec.nHeads * spec.headDim + spec.ffnDim * spec.ffnDim)
      : 0;
  const block = 4 * blockWeights * perWeight + hessians;
  const chains = method.usesDenseChain(cfg) ? 5 : 3; // X_p, Y_ref, the next X_p (+ the dense chain)
  const activations = 4 * cfg.nsamples * cfg.seqlen * spec.dim * chains;
  const weights = stored.storedBytes;
  // A 16-bit model pruned by zeroing keeps a bitset per linear (PrunedHalfArray, 1 bit per weight);
  // SparseGPT changes kept weights, and f32 pruned blocks are plain arrays: a full copy.
  const half = stored.storedLinearBytes < 4 * blockWeights * spec.nLayers;
  const prunedCopies = half && cfg.method !== 'sparsegpt' ? Math.ceil((blockWeights * spec.nLayers) / 8) : stored.storedLinearBytes;
  return { weights, prunedCopies, block, activations, total: weights + prunedCopies + block + activations };
}

/** navigator.deviceMemory (GiB, rounded down, at most 8 in Chrome) in bytes, or null where not reported. */
export function reportedDeviceMemory(): number | null {
  const gb = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  return typeof gb === 'number' && gb > 0 ? gb * 2 ** 30 : null;
}

/**
 * A BESA step in forwards of one sample: its forward and backward (about 3) plus building the hard masks,
 * the prefix sums over each row's sort order and the optimiser update. Fitted on the default model with
 * the quick-demo settings (WASM on 2 cores: 4.1 s per block of 16 steps, 19 ms per block forward).
 */
const BESA_STEP_FORWARDS = 11;

/**
 * Seconds a run should take, from one dense block forward of one sample timed on this adapter (msPerBlockForward
 * at probe.seqlen, scaled linearly to other lengths). Per block: the dense and the pruned pass (a forward per
 * sample each), BESA's steps (BESA_STEP_FORWARDS each), SparseGPT's solve (about one more pass); then the
 * dense and the pruned perplexity at the studio's evaluation length (min(context, 256), src/worker/job.ts):
 * every block and the LM head (its share from the shapes) per window. evalWindows 0 (all windows) is left
 * out and said so. A rough figure, for "a minute or an hour".
 */
export function estimateRunSeconds(
  spec: ModelSpec,
  cfg: RunConfig,
  probe: { msPerBlockForward: number; seqlen: number },
): { seconds: number; evalCounted: boolean } {
  const perToken = probe.msPerBlockForward / 1000 / probe.seqlen;
  const f = perToken * cfg.seqlen;
  const n = cfg.nsamples;
  let perBlock = 2 * n * f;
  if (cfg.method === 'besa') perBlock += cfg.besa.epochs * n * BESA_STEP_FORWARDS * f;
  if (cfg.method === 'sparsegpt') perBlock += n * f;
  const evalCounted = cfg.evalWindows > 0;
  const blockMacs = Object.values(linearShapes(spec)).reduce((a, [o, i]) => a + o * i, 0);
  const lmHeadShare = (spec.vocabSize * spec.dim) / blockMacs; // LM head cost in block forwards
  const fEval = perToken * Math.min(spec.maxSeqLen, 256);
  const evalSeconds = evalCounted ? 2 * cfg.evalWindows * (spec.nLayers + lmHeadShare) * fEval : 0;
  return { seconds: spec.nLayers * perBlock + evalSeconds, evalCounted };
}
