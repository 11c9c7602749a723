// The run settings checked as they are typed (issue #14): every problem at once, each tied to the field
// the method panel marks, in the studio's own words (its labels and ranges, no CLI flags). The rules are
// the engine's (settingProblems, the same that refuse a bad run in the Worker and the CLI), so the panel
// cannot accept what a run would refuse.
import type { RunConfig } from '../prune/config';
import { describeType, fieldByKey } from '../prune/configSchema';
import { settingProblems, type SettingProblem } from '../prune/runConfigCheck';
import type { ModelSpec } from '../model/spec';
import { configStore } from './configStore';
import { modelStore } from './modelStore';

export type { SettingProblem } from '../prune/runConfigCheck';

/** What is wrong with text typed into a field that did not parse as one of its values. */
export function draftProblem(key: string, text: string): string {
  const f = fieldByKey(key);
  const typed = text.trim() === '' ? 'is empty' : `"${text.length > 24 ? text.slice(0, 24) + '…' : text}"`;
  return `${f.label} ${typed}: must be ${describeType(f.type)}`;
}

/**
 * Every problem with the settings being edited: the drafts (text that is not a value yet) first, then the
 * config's own problems, leaving out those of a field whose draft already stands for it. Without a model,
 * only the rules that need none.
 */
export function studioSettingProblems(
  config: RunConfig,
  drafts: Readonly<Record<string, string>>,
  spec: ModelSpec | null,
): SettingProblem[] {
  const typed = Object.entries(drafts).map(([key, text]) => ({ key, text: draftProblem(key, text) }));
  const rest = settingProblems(config, spec, 'studio').problems.filter((p) => p.key === null || !(p.key in drafts));
  return [...typed, ...rest];
}

/** The problems with what the stores hold now (the Run guard in actions.ts). */
export function currentSettingProblems(): SettingProblem[] {
  const { config, drafts } = configStore.getState();
  return studioSettingProblems(config, drafts, modelStore.getState().card?.spec ?? null);
}
