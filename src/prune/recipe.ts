// llm-compressor recipes (issue #16, docs/exports.md §4): a YAML file that makes llm-compressor's `oneshot`
// apply a finished run's method to a model too large for a browser, on a GPU machine. Field names, types and
// structure follow llm-compressor's source (recipe.py's `<name>_stage` → `<name>_modifiers` → class name →
// fields; the modifiers forbid unknown fields), summarised in docs/exports.md §4.
//   Wanda / SparseGPT: the same modifier with the run's sparsity and N:M pattern on every decoder layer.
//   Magnitude: MagnitudePruningModifier (llm-compressor applies its masks during fine-tuning steps only).
//   BESA: its learned per-linear sparsities as a non-uniform profile for Wanda or SparseGPT: one list entry per
//   decoder linear, the targets named exactly, in model.named_modules() order (how the list is matched).
// GPT-2 (docs/gpt2.md §1): the modules are transformer.h.N.{attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj};
// c_attn holds q, k and v in one module, so BESA's three allocations become their numel-weighted mean there.
import { Document } from 'yaml';
import { hfModuleName } from '../model/hfweights';
import { type LinearName, type ModelSpec } from '../model/spec';
import type { RunReport } from './report';
import { reportLinearNames } from './reportTrace';

/** A run that no llm-compressor recipe can express, with what to do instead. */
export class RecipeError extends Error {
  override name = 'RecipeError';
}

export interface RecipeOptions {
  /** Decoder layers of the model the recipe is for (default: the run's). BESA's profile is resampled over depth. */
  layers?: number;
  /** The one-shot modifier that carries BESA's allocation (default 'wanda': BESA ranks weights as Wanda does). */
  besaBase?: 'wanda' | 'sparsegpt';
}

/** Each decoder layer (the modifier prunes every Linear / Conv1D in it) and each decoder linear, per architecture. */
const DECODER_LAYERS = { llama: 're:model\\.layers\\.\\d+$', gpt2: 're:transformer\\.h\\.\\d+$' } as const;
const DECODER_LINEARS = {
  llama: 're:model\\.layers\\.\\d+\\.(self_attn|mlp)\\.\\w+_proj$',
  gpt2: 're:transformer\\.h\\.\\d+\\.(attn\\.c_attn|attn\\.c_proj|mlp\\.c_fc|mlp\\.c_proj)$',
} as const;
const MODIFIER = { wanda: 'WandaPruningModifier', sparsegpt: 'SparseGPTModifier' } as const;
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The N:M field of SparseGPT/Wanda: "N:M" with N pruned of every M, "0:0" for unstructured. */
const maskStructure = (r: RunReport) => (r.method.structure === 'unstructured' ? '0:0' : r.method.structure);

type Arch = keyof typeof DECODER_LAYERS;
/** The run's block architecture: GPT-2's when its per-linear records name fc (or its model says gpt2). */
const archOf = (r: RunReport): Arch => (reportLinearNames(r).includes('fc') ? 'gpt2' : 'llama');

/** One HF module of decoder layer i and the run's linears it holds (GPT-2's c_attn: q, k, v; else one each). */
export interface RecipeModule {
  name: string;
  linears: LinearName[];
}

/** The HF modules of decoder layer i, in model.named_modules() order (the run's linear order groups them). */
export function recipeModules(r: RunReport, i: number): RecipeModule[] {
  const spec = { family: archOf(r) } as ModelSpec; // hfModuleName reads the family only
  const out: RecipeModule[] = [];
  for (const n of reportLinearNames(r)) {
    const name = hfModuleName(spec, i, n);
    const last = out.at(-1);
    if (last?.name === name) last.linears.push(n);
    else out.push({ name, linears: [n] });
  }
  return out;
}

/** A module's sparsity: its linear's, or the numel-weighted mean of the linears it fuses (GPT-2's c_attn). */
function moduleSparsity(m: RecipeModule, s: Record<LinearName, number>, numel: (n: LinearName) => number): number {
  if (m.linears.length === 1) return s[m.linears[0]];
  const total = m.linears.reduce((a, n) => a + numel(n), 0);
  return m.linears.reduce((a, n) => a + s[n] * numel(n), 0) / total;
}

/**
 * Sparsity of each linear type at each of `layers` depths, from the run's measured per-linear sparsities: linear
 * interpolation over relative depth, then one common factor so the mean (weighted by the run's linear sizes) stays
 * the run's achieved sparsity, clamped to [0, 0.99].
 */
export function resampleAllocation(r: RunReport, layers: number): Record<LinearName, number>[] {
  const src = r.allocation;
  const names = reportLinearNames(r);
  const L = src.length;
  const at = (n: LinearName, x: number) => {
    const i = Math.min(Math.floor(x), L - 2);
    if (L === 1) return src[0].layerSparsity[n];
    return src[i].layerSparsity[n] + (x - i) * (src[i + 1].layerSparsity[n] - src[i].layerSparsity[n]);
  };
  const numel = (n: LinearName) => src[0].layers[n].rows * src[0].layers[n].cols;
  const total = names.reduce((a, n) => a + numel(n), 0);
  const out = Array.from({ length: layers }, (_, j) => {
    const x = layers === 1 ? (L - 1) / 2 : (j * (L - 1)) / (layers - 1);
    return Object.fromEntries(names.map((n) => [n, at(n, x)])) as Record<LinearName, number>;
  });
  if (layers === L) return out.map((b) => ({ ...b })); // the run's own depth: its values as measured
  const mean = out.reduce((a, b) => a + names.reduce((s, n) => s + (b[n] * numel(n)) / total, 0), 0) / layers;
  const scale = mean > 0 ? r.achievedSparsity / mean : 1;
  return out.map((b) => Object.fromEntries(names.map((n) => [n, Math.min(0.99, Math.max(0, b[n] * scale))])) as Record<LinearName, number>);
}

function modifierFor(r: RunReport, opts: RecipeOptions): { name: string; fields: Record<string, unknown>; notes: string[] } {
  const cfg = r.config;
  const arch = archOf(r);
  const sgptFields = { block_size: cfg.sparsegptBlocksize, dampening_frac: cfg.sparsegptPercdamp };
  switch (r.method.name) {
    case 'wanda':
    case 'sparsegpt':
      return {
        name: MODIFIER[r.method.name],
        fields: {
          sparsity: r.method.targetSparsity,
          mask_structure: maskStructure(r),
          targets: [DECODER_LAYERS[arch]],
          ...(r.method.name === 'sparsegpt' ? sgptFields : {}),
        },
        notes: [],
      };
    case 'magnitude':
      if (r.method.structure !== 'unstructured')
        throw new RecipeError(
          `llm-compressor's MagnitudePruningModifier has no N:M pattern (its mask_structure is unstructured, channel, filter or block); export the recipe of a Wanda or SparseGPT ${r.method.structure} run instead`,
        );
      return {
        name: 'MagnitudePruningModifier',
        fields: {
          targets: [DECODER_LINEARS[arch]],
          init_sparsity: r.method.targetSparsity,
          final_sparsity: r.method.targetSparsity,
          update_scheduler: 'linear', // init = final: the schedule is flat
          mask_structure: 'unstructured',
          start: 0,
          end: 1,
        },
        notes: [
          'llm-compressor applies MagnitudePruningModifier masks on optimiser steps, so use it in a fine-tuning run:',
          'oneshot alone leaves the weights dense. It ranks |W| over each whole layer' +
            (cfg.magnitudeGranularity === 'row' ? ' (this run ranked per output row).' : ', as this run did.'),
        ],
      };
    case 'besa': {
      const base = opts.besaBase ?? 'wanda';
      const layers = opts.layers ?? r.model.nLayers;
      const alloc = resampleAllocation(r, layers);
      const targets: string[] = [];
      const sparsity: number[] = [];
      const layer0 = r.allocation[0].layers;
      const numel = (n: LinearName) => layer0[n].rows * layer0[n].cols;
      alloc.forEach((b, i) => {
        for (const m of recipeModules(r, i)) {
          targets.push(m.name);
          sparsity.push(round4(moduleSparsity(m, b, numel)));
        }
      });
      const perLayer = recipeModules(r, 0).length;
      return {
        name: MODIFIER[base],
        fields: { sparsity, mask_structure: '0:0', targets, ...(base === 'sparsegpt' ? sgptFields : {}) },
        notes: [
          `BESA's learned allocation, one sparsity per decoder ${arch === 'gpt2' ? 'module' : 'linear'} (${perLayer} per layer, model order), for ${base === 'wanda' ? 'Wanda' : 'SparseGPT'} to prune to.`,
          ...(arch === 'gpt2'
            ? [
                "GPT-2's attn.c_attn holds q, k and v in one module, which takes one sparsity: BESA learned the three apart,",
                "so its entry is their mean weighted by their sizes (numel); attn.c_proj, mlp.c_fc and mlp.c_proj are BESA's own.",
              ]
            : []),
          layers === r.model.nLayers
            ? `Measured on this run's ${layers} layers; for a deeper model, make the recipe with --layers N (npm run recipe).`
            : `Resampled over depth from this run's ${r.model.nLayers} layers to ${layers}, mean kept at ${round4(r.achievedSparsity)}.`,
          `The list must have one entry per target: the model needs exactly these decoder layers and ${arch === 'gpt2' ? 'GPT-2 (transformer.h.N)' : 'LLaMA-style'} names.`,
        ],
      };
    }
  }
}

/** The recipe YAML for a completed run (RecipeError when llm-compressor has no equivalent, or the run is unfinished). */
export function llmCompressorRecipe(r: RunReport, opts: RecipeOptions = {}): string {
  if (r.completedBlocks < r.model.nLayers || r.allocation.length < r.model.nLayers)
    throw new RecipeError(
      `the run finished ${r.completedBlocks} of ${r.model.nLayers} blocks; a recipe needs the whole model's allocation, so finish (resume) the run first`,
    );
  if (opts.layers !== undefined && !(Number.isInteger(opts.layers) && opts.layers >= 1 && opts.layers <= 1024))
    throw new RecipeError(`layers ${opts.layers}: use a whole number of decoder layers from 1 to 1024`);
  const m = modifierFor(r, opts);
  const doc = new Document({ sparsity_stage: { sparsity_modifiers: { [m.name]: m.fields } } });
  doc.commentBefore = [
    ` llm-compressor recipe from BESA Studio run ${r.runId}: ${r.method.name}${r.method.structure === 'unstructured' ? '' : ' ' + r.method.structure}`,
    ` at target sparsity ${r.method.targetSparsity} on ${r.model.name} (achieved ${round4(r.achievedSparsity)}).`,
    ...m.notes.map((n) => ` ${n}`),
    ' Run (docs/exports.md §4):',
    '   from llmcompressor import oneshot',
    `   oneshot(model="<hub id or folder>", dataset="wikitext", dataset_config_name="wikitext-2-raw-v1",`,
    `           recipe="recipe.yaml", num_calibration_samples=${r.data.nsamples}, max_seq_length=${r.data.seqlen}, output_dir="pruned")`,
  ].join('\n');
  // every string quoted: PyYAML (YAML 1.1) would read a plain 2:4 as the base-60 integer 124
  return doc.toString({ lineWidth: 0, defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN' });
}
