// The settings' problems for the components that show them (method panel, run controls), recomputed
// only when the config, the drafts or the loaded model change.
import { useMemo } from 'react';
import { useStore } from 'zustand';
import { configStore } from '../store/configStore';
import { modelStore } from '../store/modelStore';
import { studioSettingProblems, type SettingProblem } from '../store/settingsCheck';

export function useSettingProblems(): SettingProblem[] {
  const config = useStore(configStore, (s) => s.config);
  const drafts = useStore(configStore, (s) => s.drafts);
  const spec = useStore(modelStore, (s) => s.card?.spec ?? null);
  return useMemo(() => studioSettingProblems(config, drafts, spec), [config, drafts, spec]);
}
