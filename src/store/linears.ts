// Which linears the studio draws and what it calls them (docs/gpt2.md §3): LLaMA's 7 (q k v o gate up down)
// or GPT-2's 6 (q k v o fc proj, shown as HF's c_attn.q … mlp.c_proj). The list comes from the data being
// drawn (a per-linear record: recordLinearNames) or from the model (linearNames of its spec), never from a
// fixed list. Pure: the charts read it through src/ui/charts/useLinears.ts, the tests call it directly.
import { GPT2_LINEAR_NAMES, LINEAR_NAMES, linearLabel, recordLinearNames, type LinearName, type ModelSpec } from '../model/spec';

export interface Linears {
  /** The linears of a block, in their fixed order (the keys of the per-linear records). */
  names: readonly LinearName[];
  /** True for GPT-2's list. */
  gpt2: boolean;
  /** The names the charts show, in `names` order (linearLabel: the short name for LLaMA). */
  labels: readonly string[];
  /** The shown name of one linear. */
  label(n: LinearName): string;
}

function make(names: readonly LinearName[], family: ModelSpec['family']): Linears {
  const labels = names.map((n) => linearLabel({ family }, n));
  const byName = new Map(names.map((n, i) => [n, labels[i]]));
  return { names, gpt2: family === 'gpt2', labels, label: (n) => byName.get(n) ?? n };
}

/** One object per architecture, so a selector returning it keeps its identity (no re-render). */
export const LLAMA_LINEARS: Linears = make(LINEAR_NAMES, 'llama');
export const GPT2_LINEARS: Linears = make(GPT2_LINEAR_NAMES, 'gpt2');

/** The set a list of linear names belongs to (GPT-2's when it names fc). */
export function linearsOf(names: readonly LinearName[]): Linears {
  return names.includes('fc') ? GPT2_LINEARS : LLAMA_LINEARS;
}

/** The linears of a model family (LLaMA's when unknown). */
export function linearsOfFamily(family: string | null | undefined): Linears {
  return family === 'gpt2' ? GPT2_LINEARS : LLAMA_LINEARS;
}

/** The linears a per-linear record (sparsities, counts, rows) is keyed by. */
export function linearsOfRecord(rec: object): Linears {
  return linearsOf(recordLinearNames(rec));
}

/**
 * The linears of the run on screen: its own (from its first per-linear record or its report, kept in the
 * run store) when it has any, else the loaded model's, else LLaMA's.
 */
export function shownLinears(run: readonly LinearName[] | null | undefined, modelFamily: string | null | undefined): Linears {
  return run ? linearsOf(run) : linearsOfFamily(modelFamily);
}
