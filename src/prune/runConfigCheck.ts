// Early validation of a RunConfig against a model, so a bad option fails before any work with a
// message that says what to change (CLI flags in brackets).
import { LINEAR_NAMES, linearShapes, type ModelSpec } from '../model/spec';
import type { RunConfig } from './config';
import { methodOf } from './methods/registry';

export class RunConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunConfigError';
  }
}

/** Throws RunConfigError for invalid options; returns warnings for valid-but-surprising ones. */
export function checkRunConfig(cfg: RunConfig, spec: ModelSpec): string[] {
  const warnings: string[] = [];
  const methods = ['besa', 'wanda', 'sparsegpt', 'magnitude'];
  if (!methods.includes(cfg.method)) throw new RunConfigError(`unknown method "${cfg.method}"; use one of ${methods.join(', ')} [--method]`);
  if (!(cfg.sparsity > 0 && cfg.sparsity < 1)) throw new RunConfigError(`sparsity ${cfg.sparsity} must be in (0, 1), e.g. 0.5 [--sparsity]`);
  if (!Number.isInteger(cfg.nsamples) || cfg.nsamples < 1) throw new RunConfigError(`nsamples ${cfg.nsamples} must be a positive integer, e.g. 64 [--samples]`);
  if (!Number.isInteger(cfg.seqlen) || cfg.seqlen < 2) throw new RunConfigError(`seqlen ${cfg.seqlen} must be an integer >= 2, e.g. 128 [--seqlen]`);
  if (!Number.isInteger(cfg.seed) || cfg.seed < 0) throw new RunConfigError(`seed ${cfg.seed} must be a non-negative integer [--seed]`);
  if (cfg.structure !== 'unstructured') {
    const m = /^(\d+):(\d+)$/.exec(cfg.structure);
    if (!m) throw new RunConfigError(`structure "${cfg.structure}" must be 'unstructured', '2:4' or '4:8' [--nm]`);
    if (cfg.method === 'besa')
      throw new RunConfigError('BESA learns unstructured per-row sparsities and has no N:M mode (spec §1.10); drop --nm, or use --method wanda|sparsegpt|magnitude with --nm');
    const [n, M] = [Number(m[1]), Number(m[2])];
    if (Math.abs(cfg.sparsity - n / M) > 1e-9)
      throw new RunConfigError(`N:M ${cfg.structure} prunes exactly ${n}/${M} = ${n / M} of the weights; set sparsity to ${n / M} [--sparsity ${n / M}] or drop --nm`);
    const shapes = linearShapes(spec);
    for (const name of LINEAR_NAMES)
      if (shapes[name][1] % M !== 0)
        throw new RunConfigError(`N:M ${cfg.structure} needs every linear's in-features divisible by ${M}, but ${name} has ${shapes[name][1]}; use unstructured sparsity for this model`);
  }
  if (cfg.method === 'besa') {
    const b = cfg.besa;
    if (b.granularity !== 'row' && b.granularity !== 'layer') throw new RunConfigError(`BESA granularity "${b.granularity}" must be 'row' or 'layer' [--layerwise]`);
    if (!(b.lambda >= 0)) throw new RunConfigError(`BESA lambda ${b.lambda} must be >= 0 (the reference uses 5) [--lambda]`);
    if (!(b.candidateStep > 0 && b.candidateStep <= 1)) throw new RunConfigError(`BESA candidate step ${b.candidateStep} must be in (0, 1] (0.01 = 101 candidates)`);
    if (!Number.isInteger(b.epochs) || b.epochs < 1) throw new RunConfigError(`BESA epochs ${b.epochs} must be a positive integer (the reference uses 1) [--epochs]`);
    if (b.optimizer === 'prodigy' && !(b.dCoef > 0)) throw new RunConfigError(`Prodigy d_coef ${b.dCoef} must be > 0 (5 for row-wise runs) [--d-coef]`);
    if (b.optimizer === 'adam' && !(b.adamLr > 0)) throw new RunConfigError(`Adam lr ${b.adamLr} must be > 0 (1e-2 in the reference) [--adam-lr]`);
    if (b.sigmoid && cfg.sparsity > 0.62)
      warnings.push(
        b.finalMask === 'reference'
          ? `with sigmoid smoothing BESA cannot exceed ~0.624 sparsity per row (spec §1.4): target ${cfg.sparsity} will be missed (faithful to the reference); add --no-sigmoid to reach it`
          : `with sigmoid smoothing BESA cannot learn more than ~0.624 sparsity per row (spec §1.4): the final mask will reach ${cfg.sparsity} only by shifting every row's learned sparsity up; add --no-sigmoid to learn the allocation at this target`,
      );
  }
  if (cfg.seqlen > spec.maxSeqLen) warnings.push(`seqlen ${cfg.seqlen} is longer than the model's max_position_embeddings ${spec.maxSeqLen}; quality beyond the trained context is undefined`);
  return warnings;
}

/** The part of the config that determines the pruned weights (eval settings excluded): the checkpoint key. */
export function pruneRunKey(modelSha256: string, cfg: RunConfig): string {
  const { method, structure, sparsity, nsamples, seqlen, seed, calibration } = cfg;
  const extra = methodOf(method).runKeyExtra(cfg);
  return JSON.stringify({ model: modelSha256, method, structure, sparsity, nsamples, seqlen, seed, calibration, extra });
}
