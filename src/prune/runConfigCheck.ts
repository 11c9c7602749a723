// Early validation of a RunConfig against a model, so bad options fail before any work, all of them at
// once, each with a message that says what to change (UI label, CLI flag in brackets). Ranges come from
// the config schema; rules that tie fields together (N:M vs sparsity, the method's structures) are here
// and in the method registry.
import { linearNames, linearShapes, type ModelSpec } from '../model/spec';
import type { RunConfig } from './config';
import { CONFIG_FIELDS, fieldApplies, fieldByKey, type Front, getSetting, valueProblem } from './configSchema';
import { isMethodName, methodOf, structureProblem } from './methods/registry';

export class RunConfigError extends Error {
  /** Every problem found, one message each (the error's message lists them all). */
  readonly problems: string[];
  constructor(problems: string[] | string) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.length === 1 ? list[0] : `${list.length} problems with the run settings:\n${list.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RunConfigError';
    this.problems = list;
  }
}

const STRUCTURE_FIELD = fieldByKey('structure');

/** One problem with the settings; `key` is the schema path of the field to mark, null when it ties several. */
export interface SettingProblem {
  key: string | null;
  text: string;
}

/** N:M rules: the sparsity is fixed at N/M, and every linear's in-features must split into groups of M. */
function nmProblems(cfg: RunConfig, spec: ModelSpec | null, front: Front): SettingProblem[] {
  const m = /^(\d+):(\d+)$/.exec(cfg.structure);
  if (!m) return [];
  const [n, M] = [Number(m[1]), Number(m[2])];
  const out: SettingProblem[] = [];
  const fix = front === 'cli' ? `[--sparsity ${n / M}] or drop --nm` : 'or set pattern to unstructured';
  if (Math.abs(cfg.sparsity - n / M) > 1e-9)
    out.push({
      key: 'sparsity',
      text: `N:M ${cfg.structure} prunes exactly ${n}/${M} = ${n / M} of the weights; set sparsity to ${n / M} ${fix}`,
    });
  if (!spec) return out;
  const shapes = linearShapes(spec);
  const odd = linearNames(spec).find((name) => shapes[name][1] % M !== 0);
  if (odd)
    out.push({
      key: 'structure',
      text: `N:M ${cfg.structure} needs every linear's in-features divisible by ${M}, but ${odd} has ${shapes[odd][1]}; use unstructured sparsity for this model`,
    });
  return out;
}

/**
 * Every problem with cfg, each tied to the field to mark, and warnings for valid-but-surprising options.
 * Without a model (spec null) only the rules that need none are checked. `front` picks the wording:
 * the CLI names flags, the studio its own labels.
 */
export function settingProblems(
  cfg: RunConfig,
  spec: ModelSpec | null,
  front: Front = 'cli',
): { problems: SettingProblem[]; warnings: string[] } {
  const problems: SettingProblem[] = [];
  const warnings: string[] = [];
  const knownMethod = isMethodName(cfg.method);
  for (const f of CONFIG_FIELDS) {
    // An unknown method: only the settings every method shares can be checked.
    if (!knownMethod && f.methods) continue;
    if (f.key === 'structure' || !fieldApplies(f, cfg)) continue;
    const text = valueProblem(f, getSetting(cfg, f.key), front);
    if (text) problems.push({ key: f.key, text });
  }
  // The structure is checked for every method: one without N:M modes must refuse 2:4 by name.
  const badStructure = valueProblem(STRUCTURE_FIELD, cfg.structure, front);
  if (badStructure) problems.push({ key: 'structure', text: badStructure });
  else if (knownMethod) {
    const refused = structureProblem(cfg.method, cfg.structure, front);
    if (refused) problems.push({ key: 'structure', text: refused });
    else problems.push(...nmProblems(cfg, spec, front));
  }
  if (knownMethod && spec) {
    const own = methodOf(cfg.method).validate(cfg, spec);
    problems.push(...own.problems.map((text) => ({ key: null, text })));
    warnings.push(...own.warnings);
  }
  if (spec && cfg.seqlen > spec.maxSeqLen)
    warnings.push(
      `seqlen ${cfg.seqlen} is longer than the model's max_position_embeddings ${spec.maxSeqLen}; quality beyond the trained context is undefined`,
    );
  return { problems, warnings };
}

/** Every problem with cfg for this model, as CLI messages (empty when it is valid), and warnings. */
export function runConfigProblems(cfg: RunConfig, spec: ModelSpec): { problems: string[]; warnings: string[] } {
  const { problems, warnings } = settingProblems(cfg, spec);
  return { problems: problems.map((p) => p.text), warnings };
}

/** Throws RunConfigError listing every invalid option; returns warnings for valid-but-surprising ones. */
export function checkRunConfig(cfg: RunConfig, spec: ModelSpec): string[] {
  const { problems, warnings } = runConfigProblems(cfg, spec);
  if (problems.length) throw new RunConfigError(problems);
  return warnings;
}

/** The part of the config that determines the pruned weights (eval settings excluded): the checkpoint key. */
export function pruneRunKey(modelSha256: string, cfg: RunConfig): string {
  const { method, structure, sparsity, nsamples, seqlen, seed, calibration } = cfg;
  const extra = methodOf(method).runKeyExtra(cfg);
  return JSON.stringify({ model: modelSha256, method, structure, sparsity, nsamples, seqlen, seed, calibration, extra });
}
