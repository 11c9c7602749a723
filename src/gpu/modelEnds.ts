// The two ends of the model around its blocks, for either architecture (docs/gpt2.md §2): GPT-2 adds its
// learned position rows to the token embedding and ends with LayerNorm (ln_f, with a bias); LLaMA has
// neither positions (RoPE is inside the blocks) nor a norm bias. Shared by the GPU forward, the streamed
// evaluator and the KV-cache decoder, so the three agree with src/model/forward.ts.
import { blockArch, type ModelSpec, type StoredWeights } from '../model/spec';
import { toF32 } from '../model/weightArray';
import { layernormForward } from './kernels/layernorm';
import { positionAdd } from './kernels/positionAdd';
import { rmsnormForward } from './kernels/rmsnorm';
import type { GpuRuntime } from './runtime';

/** The final norm's weights on the GPU: w [C], and for GPT-2 its bias [C] (zeros when the file has none). */
export interface FinalNormGpu {
  w: GPUBuffer;
  b: GPUBuffer | null;
}

export function uploadFinalNorm(rt: GpuRuntime, spec: ModelSpec, weights: StoredWeights): FinalNormGpu {
  const w = rt.upload(weights.finalNorm, 'finalNorm');
  if (blockArch(spec) !== 'gpt2') return { w, b: null };
  return { w, b: rt.upload(weights.finalNormBias ?? new Float32Array(spec.dim), 'finalNormBias') };
}

/** The learned position table [P, C] in f32, or null for a RoPE model. */
export function uploadPositions(rt: GpuRuntime, weights: StoredWeights): GPUBuffer | null {
  return weights.posEmbed ? rt.upload(toF32(weights.posEmbed), 'posEmbed') : null;
}

/** x [T, C] += positions t0..t0+T−1 (GPT-2); nothing for a RoPE model (pos null). */
export function addPositions(rt: GpuRuntime, spec: ModelSpec, pos: GPUBuffer | null, x: GPUBuffer, T: number, t0 = 0): void {
  if (pos) positionAdd(rt, x, pos, T, spec.dim, spec.maxSeqLen, t0);
}

/** y [T, C] = final norm of x; rstd and mean are [T] scratch (mean is read only by LayerNorm). */
export function finalNormForward(
  rt: GpuRuntime,
  spec: ModelSpec,
  norm: FinalNormGpu,
  x: GPUBuffer,
  y: GPUBuffer,
  scratch: { rstd: GPUBuffer; mean: GPUBuffer },
  T: number,
): void {
  if (norm.b) layernormForward(rt, x, norm.w, norm.b, y, scratch.mean, scratch.rstd, T, spec.dim, spec.normEps);
  else rmsnormForward(rt, x, norm.w, y, scratch.rstd, T, spec.dim, spec.normEps);
}
