// The run-config schema against the three front ends it drives: the URL hash (round trips, today's keys),
// the CLI (today's flags, --help, values land in the right field) and validation (a bad value in any
// field is reported with that field's label and flag; several bad fields are reported together).
import { describe, expect, it } from 'vitest';
import { CliArgumentError, COMPARE_FLAGS, parseArgs, PRUNE_FLAGS, RUN_FLAGS, runConfigFromArgs, usage } from '../../../src/cli/args';
import { DEFAULT_BESA, DEFAULT_RUN, type RunConfig } from '../../../src/prune/config';
import {
  CONFIG_FIELDS,
  decodeSetting,
  defaultSetting,
  encodeSetting,
  fieldApplies,
  fieldWhere,
  getSetting,
  type ConfigField,
  type SettingValue,
} from '../../../src/prune/configSchema';
import { METHOD_NAMES } from '../../../src/prune/methods/registry';
import { checkRunConfig, RunConfigError, runConfigProblems } from '../../../src/prune/runConfigCheck';
import { formatHash, parseHash, STUDIO_DEFAULT } from '../../../src/store/configStore';
import { loadMicro, microConfig } from './engineFixture';

// Public names: shared links and scripts use these; the schema must keep every one of them.
const HASH_KEYS = [
  'method',
  'nm',
  'sparsity',
  'samples',
  'seqlen',
  'seed',
  'calib',
  'eval',
  'evalwin',
  'gran',
  'lambda',
  'cstep',
  'opt',
  'dcoef',
  'lr',
  'epochs',
  'sigmoid',
  'target',
  'imp',
  'fmask',
  'maggran',
  'damp',
  'sgbs',
];
const RUN_FLAG_NAMES = [
  'model',
  'sparsity',
  'nm',
  'samples',
  'seqlen',
  'seed',
  'calib',
  'eval',
  'eval-windows',
  'data-dir',
  'progress',
  'layerwise',
  'no-sigmoid',
  'lambda',
  'd-coef',
  'optimizer',
  'adam-lr',
  'epochs',
  'dense-target',
  'engine',
  'reference-mask',
  'weight-importance',
  'magnitude-rows',
  'percdamp',
  'blocksize',
  'cpu',
  'threads',
  'out',
  'help',
];

/** Leaf paths of a RunConfig ('besa.lambda'); arrays are leaves. */
function leaves(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) ? leaves(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

/** A valid value different from the default (a switch flag's value when the field has one). */
function otherValue(f: ConfigField): SettingValue {
  const d = defaultSetting(f);
  if (f.cli?.sets !== undefined) return f.cli.sets;
  const t = f.type;
  switch (t.kind) {
    case 'number':
      return (d as number) + (t.max !== undefined ? (t.max - (d as number)) / 2 : 1.5);
    case 'int':
      return (d as number) + 3;
    case 'bool':
      return !d;
    case 'enum':
      return (f.cli?.values ?? t.choices.map((c) => c.value)).find((v) => v !== d)!;
    case 'id':
      return `${d as string}-x`;
    case 'idList':
      return ['ptb-test', 'c4_val'];
  }
}

/** An invalid value of the field's type. */
function badValue(f: ConfigField): unknown {
  const t = f.type;
  switch (t.kind) {
    case 'number':
      return t.min === undefined ? NaN : t.minOpen ? t.min : t.min - 1;
    case 'int':
      return t.min + 0.5;
    case 'bool':
      return 'yes';
    case 'enum':
      return 'bogus';
    case 'id':
      return 'no such/id';
    case 'idList':
      return ['sotu-eval', 'bad id'];
  }
}

/** A config in which the field is checked (its method, and e.g. the Adam optimiser for Adam's lr). */
function configWhereApplies(f: ConfigField): RunConfig {
  const all = [...METHOD_NAMES.map((method) => microConfig({ method })), microConfig({ besa: { ...DEFAULT_BESA, optimizer: 'adam' } })];
  return all.find((c) => fieldApplies(f, c))!;
}

const withSetting = (cfg: RunConfig, f: ConfigField, v: unknown): RunConfig =>
  f.key.startsWith('besa.') ? { ...cfg, besa: { ...cfg.besa, [f.key.slice(5)]: v } } : ({ ...cfg, [f.key]: v } as RunConfig);

describe('run-config schema', () => {
  it('covers every RunConfig setting exactly once; URL keys and CLI flags are unique and keep their public names', () => {
    expect(CONFIG_FIELDS.map((f) => f.key).sort()).toEqual(leaves(DEFAULT_RUN).sort());
    expect(CONFIG_FIELDS.map((f) => f.hash)).toEqual(HASH_KEYS);
    const flags = CONFIG_FIELDS.filter((f) => f.cli).map((f) => f.cli!.flag);
    expect(new Set(flags).size).toBe(flags.length);
    expect(Object.keys(RUN_FLAGS).sort()).toEqual([...RUN_FLAG_NAMES].sort()); // no flag lost, none shadowed
    expect(Object.keys(PRUNE_FLAGS)).toEqual(expect.arrayContaining(['method', 'resume', ...RUN_FLAG_NAMES]));
    expect(Object.keys(COMPARE_FLAGS)).toEqual(expect.arrayContaining(['methods', ...RUN_FLAG_NAMES]));
  });

  it('an id list of "none" is the empty list in the URL as on the CLI (no evaluation)', () => {
    const evalField = CONFIG_FIELDS.find((f) => f.key === 'evalDatasets')!;
    expect(decodeSetting(evalField, 'none')).toEqual([]);
    expect(decodeSetting(evalField, '')).toEqual([]);
    expect(parseHash('#eval=none', DEFAULT_RUN).config.evalDatasets).toEqual([]);
    expect(runConfigFromArgs(parseArgs(['--eval', 'none'], RUN_FLAGS), 'wanda', 256).evalDatasets).toEqual([]);
  });

  it('every default serialises and parses back, field by field and as a whole URL', () => {
    for (const f of CONFIG_FIELDS) expect(decodeSetting(f, encodeSetting(f, defaultSetting(f))), f.key).toEqual(defaultSetting(f));
    const back = parseHash(formatHash(DEFAULT_RUN, ''), STUDIO_DEFAULT); // base differs (eval settings) so parsing must do the work
    expect(back.config).toEqual(DEFAULT_RUN);
    expect(back.ignored).toEqual([]);
  });

  it('a non-default value of every field reaches the same RunConfig field through the URL and through its CLI flag', () => {
    for (const f of CONFIG_FIELDS) {
      const v = otherValue(f);
      expect(v, f.key).not.toEqual(defaultSetting(f));
      const fromUrl = parseHash(`#${f.hash}=${encodeURIComponent(encodeSetting(f, v))}`, DEFAULT_RUN);
      expect(fromUrl.ignored, f.hash).toEqual([]);
      expect(getSetting(fromUrl.config, f.key), f.hash).toEqual(v);
      if (!f.cli || f.key === 'method') continue; // --method is checked in registry.test.ts
      const argv = f.cli.sets !== undefined ? [`--${f.cli.flag}`] : [`--${f.cli.flag}`, encodeSetting(f, v)];
      expect(getSetting(runConfigFromArgs(parseArgs(argv, RUN_FLAGS), 'besa', 4096), f.key), f.cli.flag).toEqual(v);
    }
  });

  it('--help lists every flag of the schema (compare: all but --method, which is --methods there)', () => {
    const prune = usage('prune', PRUNE_FLAGS);
    const compare = usage('compare', COMPARE_FLAGS);
    for (const f of CONFIG_FIELDS.filter((x) => x.cli)) {
      expect(prune).toMatch(new RegExp(`^  --${f.cli!.flag} .*${f.cli!.help.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
      if (f.key !== 'method') expect(compare).toMatch(new RegExp(`^  --${f.cli!.flag} `, 'm'));
    }
    expect(compare).toMatch(/^ {2}--methods /m);
  });

  it('a bad value in any field gives exactly one problem naming that field (UI label and flag or URL key)', async () => {
    const { spec } = await loadMicro();
    for (const f of CONFIG_FIELDS) {
      const base = configWhereApplies(f);
      expect(runConfigProblems(base, spec).problems, f.key).toEqual([]);
      const { problems } = runConfigProblems(withSetting(base, f, badValue(f)), spec);
      expect(problems, f.key).toHaveLength(1);
      expect(problems[0]).toContain(f.label);
      expect(problems[0]).toContain(fieldWhere(f));
    }
  });

  it('several bad fields: one RunConfigError listing all of them', async () => {
    const { spec } = await loadMicro();
    const cfg = runConfigFromArgs(
      parseArgs(['--sparsity', '1.5', '--samples', '0', '--lambda', '-1', '--seed', '-2', '--eval', 'a b'], RUN_FLAGS),
      'besa',
      spec.maxSeqLen,
    );
    let err: unknown;
    try {
      checkRunConfig(cfg, spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunConfigError);
    const e = err as RunConfigError;
    expect(e.problems).toHaveLength(5);
    for (const flag of ['--sparsity', '--samples', '--lambda', '--seed', '--eval']) expect(e.message).toContain(`[${flag}]`);
    expect(e.message).toMatch(/^5 problems with the run settings:\n {2}- target sparsity 1\.5: must be a number in \(0, 1\)/);
  });

  it('a settings value outside a CLI enum is a CliArgumentError naming the flag and the choices', () => {
    expect(() => runConfigFromArgs(parseArgs(['--optimizer', 'sgd'], RUN_FLAGS), 'besa', 256)).toThrow(CliArgumentError);
    expect(() => runConfigFromArgs(parseArgs(['--optimizer', 'sgd'], RUN_FLAGS), 'besa', 256)).toThrow(
      '--optimizer sgd: use one of prodigy, adam',
    );
    expect(() => runConfigFromArgs(parseArgs(['--nm', 'unstructured'], RUN_FLAGS), 'wanda', 256)).toThrow(
      '--nm unstructured: use one of 2:4, 4:8',
    );
    expect(runConfigFromArgs(parseArgs(['--eval', 'none'], RUN_FLAGS), 'besa', 256).evalDatasets).toEqual([]);
    expect(runConfigFromArgs({}, 'besa', 100).seqlen).toBe(100); // default window clipped to the model's context
  });
});
