// Compare mode: several methods on the same model, seed and calibration data, one after another.
// Each row is filled from that run's EngineEvents/report (never computed on the page).
import { createStore } from 'zustand/vanilla';
import type { RunConfig } from '../prune/config';
import { METHODS } from '../prune/methods/registry';
import type { RunReport } from '../prune/report';

export interface CompareRow {
  label: string;
  /** The COMPARE_PRESETS entry it runs (a sweep has several rows per preset, one per sparsity). */
  preset: string;
  config: RunConfig;
  runId: string | null;
  status: 'queued' | 'running' | 'completed' | 'cancelled' | 'failed';
  report: RunReport | null;
  error: string | null;
}

export interface CompareState {
  rows: CompareRow[];
  running: boolean;
  /** The rows are a sparsity sweep (src/store/sweep.ts): the view draws perplexity against sparsity. */
  sweep: boolean;
  set(p: Partial<Omit<CompareState, 'set' | 'patchRow'>>): void;
  patchRow(i: number, p: Partial<CompareRow>): void;
}

export const compareStore = createStore<CompareState>()((set) => ({
  rows: [],
  running: false,
  sweep: false,
  set: (p) => set(p),
  patchRow: (i, p) => set((s) => ({ rows: s.rows.map((r, j) => (j === i ? { ...r, ...p } : r)) })),
}));

/** The methods offered for comparison; every entry shares the current config's seed/data/target. */
export const COMPARE_PRESETS: { label: string; patch: (c: RunConfig) => RunConfig }[] = [
  ...METHODS.map((m) => ({ label: m.label, patch: (c: RunConfig): RunConfig => ({ ...c, method: m.name, structure: 'unstructured' }) })),
  // 2:4 prunes exactly 2 of every 4, so its target is 0.5 whatever the config says.
  ...METHODS.filter((m) => m.studioNMComparison && m.supportsStructure('2:4')).map((m) => ({
    label: `${m.label} 2:4`,
    patch: (c: RunConfig): RunConfig => ({ ...c, method: m.name, structure: '2:4', sparsity: 0.5 }),
  })),
];
