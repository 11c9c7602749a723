// llm-compressor recipes (src/prune/recipe.ts, docs/exports.md §4): read back as PyYAML reads them (YAML 1.1),
// every recipe has llm-compressor's `<name>_stage` → `<name>_modifiers` → modifier layout, and every field it
// writes exists on that modifier (or a base class) with a compatible type, every required field is written
// (tests/fixtures/llmcompressor/fields.json, read from llm-compressor's source by tools/llmcompressor_fields.py).
// BESA's list has one sparsity per exactly named decoder linear, in model order; resampling keeps the mean.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_RUN, type RunConfig } from '../../../src/prune/config';
import { llmCompressorRecipe, RecipeError, recipeModules, resampleAllocation } from '../../../src/prune/recipe';
import { REPORT_SCHEMA, type RunReport } from '../../../src/prune/report';
import type { BlockSummary } from '../../../src/prune/summary';
import { GPT2_LINEAR_NAMES, LINEAR_NAMES, type LinearName } from '../../../src/model/spec';
import { ROOT } from './engineFixture';

interface FieldSpec {
  annotation: string;
  required: boolean;
}
const LLMC = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/llmcompressor/fields.json'), 'utf8')) as {
  recipeKeySuffixes: string[];
  classes: Record<string, { bases: string[]; fields: Record<string, FieldSpec> }>;
};

/** The class's fields with its bases' (as pydantic sees them: a subclass's annotation wins). */
function fieldsOf(cls: string): Record<string, FieldSpec> {
  const c = LLMC.classes[cls];
  if (!c) return {};
  return Object.assign({}, ...c.bases.map(fieldsOf), c.fields) as Record<string, FieldSpec>;
}

/** Whether a YAML value fits a Python annotation such as `float | list[float] | None` or `str | list[str]`. */
function fits(v: unknown, annotation: string): boolean {
  return annotation.split('|').some((part) => {
    const t = part.trim();
    const scalar = (x: unknown, s: string) =>
      (s === 'float' && typeof x === 'number') ||
      (s === 'int' && Number.isInteger(x)) ||
      (s === 'str' && typeof x === 'string') ||
      (s === 'bool' && typeof x === 'boolean');
    const list = /^list\[(\w+)\]$/.exec(t);
    if (list) return Array.isArray(v) && v.every((x) => scalar(x, list[1]));
    return scalar(v, t);
  });
}

const LAYER = { q: [32, 32], k: [16, 32], v: [16, 32], o: [32, 32], gate: [64, 32], up: [64, 32], down: [32, 64] } as const;

function block(i: number, s: Record<LinearName, number>): BlockSummary {
  const layers = Object.fromEntries(
    LINEAR_NAMES.map((n) => [n, { rows: LAYER[n][0], cols: LAYER[n][1], zeros: Math.round(s[n] * LAYER[n][0] * LAYER[n][1]) }]),
  ) as BlockSummary['layers'];
  const numel = LINEAR_NAMES.reduce((a, n) => a + LAYER[n][0] * LAYER[n][1], 0);
  const zeros = LINEAR_NAMES.reduce((a, n) => a + layers[n].zeros, 0);
  return { block: i, layers, layerSparsity: s, blockSparsity: zeros / numel, lossBefore: 1, lossAfter: 1, steps: 1, seconds: 1 };
}

/** A finished run's report: only what the recipe reads is realistic. */
function report(method: RunConfig['method'], structure: RunConfig['structure'], alloc: Record<LinearName, number>[]): RunReport {
  const config: RunConfig = { ...DEFAULT_RUN, method, structure, sparsity: 0.5 };
  const blocks = alloc.map((s, i) => block(i, s));
  const numel = blocks.reduce((a, b) => a + LINEAR_NAMES.reduce((s, n) => s + b.layers[n].rows * b.layers[n].cols, 0), 0);
  const zeros = blocks.reduce((a, b) => a + LINEAR_NAMES.reduce((s, n) => s + b.layers[n].zeros, 0), 0);
  return {
    schema: REPORT_SCHEMA,
    runId: `${method}-test`,
    status: 'completed',
    model: { name: 'micro', nLayers: alloc.length },
    data: { nsamples: 4, seqlen: 32 },
    method: { name: method, structure, targetSparsity: 0.5, hyperParameters: {} },
    config,
    completedBlocks: alloc.length,
    allocation: blocks,
    achievedSparsity: zeros / numel,
  } as unknown as RunReport;
}

const uniform = (s: number) => Object.fromEntries(LINEAR_NAMES.map((n) => [n, s])) as Record<LinearName, number>;
const BESA_ALLOC: Record<LinearName, number>[] = [
  { q: 0.62, k: 0.41, v: 0.38, o: 0.55, gate: 0.47, up: 0.51, down: 0.5 } as Record<LinearName, number>,
  { q: 0.66, k: 0.45, v: 0.3, o: 0.52, gate: 0.5, up: 0.49, down: 0.53 } as Record<LinearName, number>,
];

/** The recipe as PyYAML reads it, checked against llm-compressor's layout and fields; returns [modifier, fields]. */
function checkedModifier(yaml: string): [string, Record<string, unknown>] {
  const doc = parse(yaml, { version: '1.1' }) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
  const [stageSuffix, groupSuffix] = LLMC.recipeKeySuffixes;
  const stages = Object.keys(doc);
  expect(stages).toHaveLength(1);
  expect(stages[0].endsWith(stageSuffix)).toBe(true);
  const groups = Object.keys(doc[stages[0]]);
  expect(groups).toHaveLength(1);
  expect(groups[0].endsWith(groupSuffix)).toBe(true);
  const mods = Object.entries(doc[stages[0]][groups[0]]);
  expect(mods).toHaveLength(1);
  const [name, fields] = mods[0];
  expect(LLMC.classes[name], `${name} is one of llm-compressor's modifiers`).toBeDefined();
  const known = fieldsOf(name);
  for (const [k, v] of Object.entries(fields)) {
    expect(known[k], `${name}.${k} exists`).toBeDefined();
    expect(fits(v, known[k].annotation), `${name}.${k} = ${JSON.stringify(v)} fits ${known[k].annotation}`).toBe(true);
  }
  for (const [k, f] of Object.entries(known)) if (f.required) expect(fields[k], `${name}.${k} is required`).toBeDefined();
  expect(fields.group).toBeUndefined(); // recipe.py passes group itself: writing it is a TypeError there
  return [name, fields];
}

describe('llm-compressor recipes', () => {
  it('the field checker rejects what llm-compressor rejects (a check that can fail)', () => {
    expect(fits('2:4', 'str')).toBe(true);
    expect(fits(124, 'str')).toBe(false);
    expect(fits([0.5, 0.4], 'float | list[float] | None')).toBe(true);
    expect(fits({ a: 0.5 }, 'float | list[float] | None')).toBe(false);
    expect(fieldsOf('WandaPruningModifier').block_size).toBeUndefined(); // SparseGPT only
    expect(fieldsOf('SparseGPTModifier').block_size).toBeDefined();
    expect(parse('mask_structure: 2:4', { version: '1.1' }).mask_structure).toBe(124); // why every string is quoted
  });

  for (const structure of ['unstructured', '2:4', '4:8'] as const)
    for (const method of ['wanda', 'sparsegpt'] as const)
      it(`${method} ${structure}: the same modifier, sparsity and pattern on every decoder layer`, () => {
        const r = report(method, structure, [uniform(0.5), uniform(0.5)]);
        const [name, f] = checkedModifier(llmCompressorRecipe(r));
        expect(name).toBe(method === 'wanda' ? 'WandaPruningModifier' : 'SparseGPTModifier');
        expect(f).toMatchObject({ sparsity: 0.5, mask_structure: structure === 'unstructured' ? '0:0' : structure });
        expect(f.targets).toEqual(['re:model\\.layers\\.\\d+$']);
        if (method === 'sparsegpt')
          expect(f).toMatchObject({ block_size: DEFAULT_RUN.sparsegptBlocksize, dampening_frac: DEFAULT_RUN.sparsegptPercdamp });
      });

  it('magnitude: MagnitudePruningModifier at a flat schedule, with a note that it prunes during fine-tuning', () => {
    const yaml = llmCompressorRecipe(report('magnitude', 'unstructured', [uniform(0.5), uniform(0.5)]));
    const [name, f] = checkedModifier(yaml);
    expect(name).toBe('MagnitudePruningModifier');
    expect(f).toMatchObject({ init_sparsity: 0.5, final_sparsity: 0.5, mask_structure: 'unstructured' });
    expect(yaml).toMatch(/oneshot alone leaves the weights dense/);
    expect(() => llmCompressorRecipe(report('magnitude', '2:4', [uniform(0.5)]))).toThrow(RecipeError);
  });

  for (const base of ['wanda', 'sparsegpt'] as const)
    it(`BESA → ${base}: one measured sparsity per exactly named decoder linear, in model order`, () => {
      const r = report('besa', 'unstructured', BESA_ALLOC);
      const [name, f] = checkedModifier(llmCompressorRecipe(r, { besaBase: base }));
      expect(name).toBe(base === 'wanda' ? 'WandaPruningModifier' : 'SparseGPTModifier');
      expect(f.mask_structure).toBe('0:0');
      const targets = f.targets as string[];
      const sparsity = f.sparsity as number[];
      expect(targets).toHaveLength(14);
      expect(sparsity).toHaveLength(targets.length); // llm-compressor checks len(sparsity) == matched targets
      expect(targets.slice(0, 7)).toEqual([
        'model.layers.0.self_attn.q_proj',
        'model.layers.0.self_attn.k_proj',
        'model.layers.0.self_attn.v_proj',
        'model.layers.0.self_attn.o_proj',
        'model.layers.0.mlp.gate_proj',
        'model.layers.0.mlp.up_proj',
        'model.layers.0.mlp.down_proj',
      ]);
      expect(targets[13]).toBe('model.layers.1.mlp.down_proj');
      const measured = r.allocation.flatMap((b) => LINEAR_NAMES.map((n) => Math.round(b.layerSparsity[n] * 1e4) / 1e4));
      expect(sparsity).toEqual(measured);
    });

  it('BESA resampled to a deeper model keeps the ends of the profile and the size-weighted mean', () => {
    const r = report('besa', 'unstructured', BESA_ALLOC);
    const deep = resampleAllocation(r, 5);
    expect(deep).toHaveLength(5);
    const numel = (n: LinearName) => LAYER[n as keyof typeof LAYER][0] * LAYER[n as keyof typeof LAYER][1];
    const total = LINEAR_NAMES.reduce((a, n) => a + numel(n), 0);
    const mean = deep.reduce((a, b) => a + LINEAR_NAMES.reduce((s, n) => s + (b[n] * numel(n)) / total, 0), 0) / 5;
    expect(mean).toBeCloseTo(r.achievedSparsity, 9);
    const scale = deep[0].q / BESA_ALLOC[0].q;
    expect(deep[4].q / BESA_ALLOC[1].q).toBeCloseTo(scale, 9); // both ends are the run's, times one factor
    expect(deep[2].v / ((BESA_ALLOC[0].v + BESA_ALLOC[1].v) / 2)).toBeCloseTo(scale, 9); // the middle interpolates
    const [, f] = checkedModifier(llmCompressorRecipe(r, { layers: 5 }));
    expect(f.targets as string[]).toHaveLength(35);
    expect((f.targets as string[])[34]).toBe('model.layers.4.mlp.down_proj');
  });

  it('an unfinished run or a bad layer count is a named error with the fix', () => {
    const r = { ...report('wanda', 'unstructured', [uniform(0.5), uniform(0.5)]), completedBlocks: 1 };
    expect(() => llmCompressorRecipe(r)).toThrow(/finished 1 of 2 blocks.*finish \(resume\) the run first/);
    const ok = report('besa', 'unstructured', BESA_ALLOC);
    expect(() => llmCompressorRecipe(ok, { layers: 0 })).toThrow(RecipeError);
    expect(() => llmCompressorRecipe(ok, { layers: 2.5 })).toThrow(/whole number of decoder layers/);
  });
});

// GPT-2 (docs/gpt2.md §1): the run's 6 linears live in 4 HF modules per layer, transformer.h.N.{attn.c_attn,
// attn.c_proj, mlp.c_fc, mlp.c_proj}; c_attn fuses q, k and v, so it gets their numel-weighted mean. The shapes
// below give k and v fewer rows than q (GPT-2's are equal) so that the weighting differs from a plain mean.
const GPT2_LAYER = { q: [32, 32], k: [16, 32], v: [16, 32], o: [32, 32], fc: [128, 32], proj: [32, 128] } as const;

function gpt2Report(method: RunConfig['method'], structure: RunConfig['structure'], alloc: Record<LinearName, number>[]): RunReport {
  const shape = (n: LinearName) => GPT2_LAYER[n as keyof typeof GPT2_LAYER];
  const blocks: BlockSummary[] = alloc.map((s, i) => {
    const layers = Object.fromEntries(
      GPT2_LINEAR_NAMES.map((n) => [n, { rows: shape(n)[0], cols: shape(n)[1], zeros: Math.round(s[n] * shape(n)[0] * shape(n)[1]) }]),
    ) as BlockSummary['layers'];
    const numel = GPT2_LINEAR_NAMES.reduce((a, n) => a + shape(n)[0] * shape(n)[1], 0);
    const zeros = GPT2_LINEAR_NAMES.reduce((a, n) => a + layers[n].zeros, 0);
    return { block: i, layers, layerSparsity: s, blockSparsity: zeros / numel, lossBefore: 1, lossAfter: 1, steps: 1, seconds: 1 };
  });
  const numel = blocks.length * GPT2_LINEAR_NAMES.reduce((a, n) => a + shape(n)[0] * shape(n)[1], 0);
  const zeros = blocks.reduce((a, b) => a + GPT2_LINEAR_NAMES.reduce((s, n) => s + b.layers[n].zeros, 0), 0);
  return {
    ...report(method, structure, [uniform(0.5)]),
    runId: `${method}-gpt2-test`,
    model: { name: 'gpt2-tiny', family: 'gpt2', nLayers: alloc.length },
    completedBlocks: alloc.length,
    allocation: blocks,
    achievedSparsity: zeros / numel,
  } as unknown as RunReport;
}

const gpt2Uniform = (s: number) => Object.fromEntries(GPT2_LINEAR_NAMES.map((n) => [n, s])) as Record<LinearName, number>;
const GPT2_BESA: Record<LinearName, number>[] = [
  { q: 0.62, k: 0.41, v: 0.38, o: 0.55, fc: 0.47, proj: 0.51 } as Record<LinearName, number>,
  { q: 0.66, k: 0.45, v: 0.3, o: 0.52, fc: 0.5, proj: 0.53 } as Record<LinearName, number>,
];

describe('llm-compressor recipes for GPT-2', () => {
  it("the modules of a layer are HF's, in named_modules() order, c_attn holding q, k and v", () => {
    const r = gpt2Report('besa', 'unstructured', GPT2_BESA);
    expect(recipeModules(r, 3)).toEqual([
      { name: 'transformer.h.3.attn.c_attn', linears: ['q', 'k', 'v'] },
      { name: 'transformer.h.3.attn.c_proj', linears: ['o'] },
      { name: 'transformer.h.3.mlp.c_fc', linears: ['fc'] },
      { name: 'transformer.h.3.mlp.c_proj', linears: ['proj'] },
    ]);
    // a LLaMA report keeps one module per linear
    expect(recipeModules(report('besa', 'unstructured', BESA_ALLOC), 0).map((m) => m.linears)).toEqual(LINEAR_NAMES.map((n) => [n]));
  });

  for (const method of ['wanda', 'sparsegpt'] as const)
    it(`${method}: the modifier on every transformer.h.N block`, () => {
      const [name, f] = checkedModifier(llmCompressorRecipe(gpt2Report(method, '2:4', [gpt2Uniform(0.5), gpt2Uniform(0.5)])));
      expect(name).toBe(method === 'wanda' ? 'WandaPruningModifier' : 'SparseGPTModifier');
      expect(f).toMatchObject({ sparsity: 0.5, mask_structure: '2:4', targets: ['re:transformer\\.h\\.\\d+$'] });
    });

  it("magnitude: a regex that names GPT-2's four linear modules", () => {
    const [, f] = checkedModifier(llmCompressorRecipe(gpt2Report('magnitude', 'unstructured', [gpt2Uniform(0.5)])));
    const re = new RegExp((f.targets as string[])[0].replace(/^re:/, ''));
    for (const m of ['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj']) expect(re.test(`transformer.h.11.${m}`), m).toBe(true);
    for (const m of ['ln_1', 'attn', 'mlp', 'mlp.act']) expect(re.test(`transformer.h.11.${m}`), m).toBe(false);
  });

  for (const base of ['wanda', 'sparsegpt'] as const)
    it(`BESA → ${base}: 4 modules per layer, c_attn at the numel-weighted mean of q, k, v, and a note that says so`, () => {
      const r = gpt2Report('besa', 'unstructured', GPT2_BESA);
      const yaml = llmCompressorRecipe(r, { besaBase: base });
      const [, f] = checkedModifier(yaml);
      const targets = f.targets as string[];
      const sparsity = f.sparsity as number[];
      expect(targets).toEqual(
        [0, 1].flatMap((i) => ['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'].map((m) => `transformer.h.${i}.${m}`)),
      );
      expect(sparsity).toHaveLength(targets.length);
      const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
      GPT2_BESA.forEach((s, i) => {
        const w = (n: 'q' | 'k' | 'v') => GPT2_LAYER[n][0] * GPT2_LAYER[n][1];
        const qkv = (s.q * w('q') + s.k * w('k') + s.v * w('v')) / (w('q') + w('k') + w('v'));
        expect(sparsity.slice(4 * i, 4 * i + 4)).toEqual([r4(qkv), r4(s.o), r4(s.fc), r4(s.proj)]);
        expect(r4(qkv)).not.toBe(r4((s.q + s.k + s.v) / 3)); // weighted, not a plain mean
      });
      expect(yaml).toMatch(/c_attn holds q, k and v in one module/);
      expect(yaml).toMatch(/mean weighted by their sizes \(numel\)/);
      expect(yaml).toMatch(/4 per layer/);
      expect(yaml).toMatch(/GPT-2 \(transformer\.h\.N\) names/);
      expect(yaml).not.toMatch(/model\.layers|gate|up_proj|down_proj/);
    });

  it('BESA resampled to a deeper GPT-2 keeps the size-weighted mean over the 6 linears', () => {
    const r = gpt2Report('besa', 'unstructured', GPT2_BESA);
    const deep = resampleAllocation(r, 6);
    expect(Object.keys(deep[0])).toEqual([...GPT2_LINEAR_NAMES]);
    const numel = (n: LinearName) => GPT2_LAYER[n as keyof typeof GPT2_LAYER][0] * GPT2_LAYER[n as keyof typeof GPT2_LAYER][1];
    const total = GPT2_LINEAR_NAMES.reduce((a, n) => a + numel(n), 0);
    const mean = deep.reduce((a, b) => a + GPT2_LINEAR_NAMES.reduce((s, n) => s + (b[n] * numel(n)) / total, 0), 0) / 6;
    expect(mean).toBeCloseTo(r.achievedSparsity, 9);
    const [, f] = checkedModifier(llmCompressorRecipe(r, { layers: 6 }));
    expect(f.targets as string[]).toHaveLength(24);
    expect((f.targets as string[])[23]).toBe('transformer.h.5.mlp.c_proj');
  });

  it('a report without a family is told apart by its linears (fc: GPT-2)', () => {
    const r = gpt2Report('wanda', 'unstructured', [gpt2Uniform(0.5)]);
    const noFamily = { ...r, model: { ...r.model, family: undefined } } as unknown as RunReport;
    expect(checkedModifier(llmCompressorRecipe(noFamily))[1].targets).toEqual(['re:transformer\\.h\\.\\d+$']);
  });
});
