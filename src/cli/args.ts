// Command-line parsing shared by `npm run prune` and `npm run compare`: a small strict parser (every
// flag is declared; unknown flags, missing values and bad numbers are CliArgumentError with the fix)
// and the mapping of flags onto a RunConfig, both generated from the run-config schema (configFields.ts).
import { EXPORT_FORMATS, type ExportFormat } from '../model/export';
import { DEFAULT_BESA, DEFAULT_RUN, type MethodName, type RunConfig } from '../prune/config';
import { CONFIG_FIELDS, fieldByKey, setSetting, type ConfigField, type SettingValue } from '../prune/configSchema';
import { COMPARE_ORDER, isMethodName, METHOD_NAMES, orList } from '../prune/methods/registry';

export class CliArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliArgumentError';
  }
}

export type FlagKind = 'string' | 'number' | 'int' | 'bool';
export interface FlagSpec {
  kind: FlagKind;
  help: string;
}
export type FlagTable = Record<string, FlagSpec>;
export type Parsed = Record<string, string | number | boolean | undefined>;

function closest(name: string, names: string[]): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  let best: string | undefined;
  let bd = 4;
  for (const n of names) {
    const dd = dist(name, n);
    if (dd < bd) [best, bd] = [n, dd];
  }
  return best;
}

export function parseArgs(argv: string[], table: FlagTable): Parsed {
  const out: Parsed = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new CliArgumentError(`unexpected argument "${a}": every option is a --flag (see --help)`);
    let [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const spec = table[name];
    if (!spec) {
      const near = closest(name, Object.keys(table));
      throw new CliArgumentError(`unknown option --${name}${near ? `; did you mean --${near}?` : ''} (see --help)`);
    }
    if (spec.kind === 'bool') {
      if (inline !== undefined) throw new CliArgumentError(`--${name} is a switch and takes no value; write just --${name}`);
      out[name] = true;
      continue;
    }
    if (inline === undefined) {
      inline = argv[++i];
      if (inline === undefined || inline.startsWith('--')) throw new CliArgumentError(`--${name} needs a value (${spec.help})`);
    }
    if (spec.kind === 'string') out[name] = inline;
    else {
      const v = Number(inline);
      if (!Number.isFinite(v) || (spec.kind === 'int' && !Number.isInteger(v)))
        throw new CliArgumentError(`--${name} ${inline}: expected ${spec.kind === 'int' ? 'an integer' : 'a number'} (${spec.help})`);
      out[name] = v;
    }
  }
  return out;
}

export function usage(cmd: string, table: FlagTable): string {
  const w = Math.max(...Object.keys(table).map((k) => k.length)) + 4;
  return [
    `usage: npm run ${cmd} -- [options]`,
    ...Object.entries(table).map(([k, s]) => `  --${k.padEnd(w)}${s.kind === 'bool' ? '' : `<${s.kind}> `}${s.help}`),
  ].join('\n');
}

const kindOf = (f: ConfigField): FlagKind =>
  f.cli?.sets !== undefined
    ? 'bool'
    : f.type.kind === 'number'
      ? 'number'
      : f.type.kind === 'int'
        ? 'int'
        : f.type.kind === 'bool'
          ? 'bool'
          : 'string';

/** The schema's run settings that have a flag (the method is chosen by --method / --methods). */
const SETTING_FLAGS = CONFIG_FIELDS.filter((f) => f.cli && f.key !== 'method');
const schemaFlag = (f: ConfigField): FlagSpec => ({ kind: kindOf(f), help: f.cli!.help });

/** Flags that define a pruning run (shared by prune and compare): the schema's settings + I/O. */
export const RUN_FLAGS: FlagTable = {
  model: { kind: 'string', help: 'model folder (config.json + model.safetensors + tokenizer.json) or a llama2.c .bin file' },
  ...Object.fromEntries(SETTING_FLAGS.map((f) => [f.cli!.flag, schemaFlag(f)])),
  'data-dir': { kind: 'string', help: 'folder with the dataset .txt files (default public/data)' },
  progress: {
    kind: 'string',
    help: 'bar (one updating line, the default on a terminal), lines (a line per step: for logs and pipes) or none (the default otherwise)',
  },
  engine: {
    kind: 'string',
    help: 'auto | webgpu | wasm | cpu: where the math runs (auto: WebGPU on a hardware adapter; on a software one, the faster of WebGPU and WASM after a one-second probe; WASM without an adapter)',
  },
  cpu: { kind: 'bool', help: 'short for --engine cpu (the CPU reference executor)' },
  threads: { kind: 'int', help: 'threads of the WASM engine (default: every core; 1 = no helper threads)' },
  out: { kind: 'string', help: 'output folder' },
  help: { kind: 'bool', help: 'show this help' },
};

/** A parsed flag value as the field's value; range checks are left to checkRunConfig (all problems at once). */
function flagValue(f: ConfigField, v: string | number | boolean): SettingValue {
  const cli = f.cli!;
  if (cli.sets !== undefined) return cli.sets;
  if (f.type.kind === 'idList')
    return v === 'none'
      ? []
      : String(v)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  if (f.type.kind === 'enum') {
    const allowed = cli.values ?? f.type.choices.map((c) => c.value);
    if (!allowed.includes(String(v))) throw new CliArgumentError(`--${cli.flag} ${String(v)}: use one of ${allowed.join(', ')}`);
  }
  return v;
}

export function runConfigFromArgs(a: Parsed, method: MethodName, maxSeqLen: number): RunConfig {
  let cfg: RunConfig = { ...DEFAULT_RUN, method, besa: { ...DEFAULT_BESA } };
  for (const f of SETTING_FLAGS) {
    const v = a[f.cli!.flag];
    if (v !== undefined) cfg = setSetting(cfg, f.key, flagValue(f, v));
  }
  // The default window is clipped to the model's context (the schema's default is the model-free one).
  if (a.seqlen === undefined) cfg = { ...cfg, seqlen: Math.min(DEFAULT_RUN.seqlen, maxSeqLen) };
  return cfg;
}

/** Flags that give token ids instead of text (docs/real-models.md §3; src/cli/tokenIds.ts reads them). */
const ID_FILE_FLAGS: FlagTable = {
  'calib-ids': {
    kind: 'string',
    help: 'calibration token ids from a file (.json list, .npy integers, or raw int32) instead of --calib text',
  },
  'eval-ids': { kind: 'string', help: 'comma-separated token-id files to evaluate on instead of --eval texts (same formats)' },
};

/** `npm run prune` flags: the method, the run flags, the token-id files, --resume. */
export const PRUNE_FLAGS: FlagTable = {
  method: schemaFlag(fieldByKey('method')),
  ...RUN_FLAGS,
  ...ID_FILE_FLAGS,
  resume: { kind: 'bool', help: 'continue an interrupted run from <out>/checkpoint (same model and options)' },
  'checkpoint-every': {
    kind: 'int',
    help: 'BESA: save the block in progress (θ and optimiser state) every N steps, and on Ctrl-C (default 8; 0 = only on Ctrl-C)',
  },
  'export-format': {
    kind: 'string',
    help: "dense (default), sparse-bitmask, or sparse-24-bitmask (with --nm 2:4): the linears in compressed-tensors' sparse formats, which vLLM loads as sparse",
  },
};

export type ProgressStyle = 'bar' | 'lines' | 'none';

/** --progress: how step progress reaches stderr (default: a bar on a terminal, nothing in a pipe). */
export function progressFromArgs(a: Parsed, isTty: boolean): ProgressStyle {
  const p = a.progress ?? (isTty ? 'bar' : 'none');
  if (p !== 'bar' && p !== 'lines' && p !== 'none') throw new CliArgumentError(`--progress ${String(p)}: use bar, lines or none`);
  return p;
}

/** --checkpoint-every: steps between saves of a BESA block in progress (docs/reliability.md). */
export function checkpointEveryFromArgs(a: Parsed): number | undefined {
  if (a['checkpoint-every'] === undefined) return undefined;
  const n = Number(a['checkpoint-every']);
  if (!Number.isInteger(n) || n < 0)
    throw new CliArgumentError(`--checkpoint-every ${String(a['checkpoint-every'])}: use a whole number of steps, 0 or more`);
  return n;
}

/** --export-format: how the pruned model's weights are written (docs/exports.md §1–2); 2:4 storage needs a 2:4 run. */
export function exportFormatFromArgs(a: Parsed): ExportFormat {
  const structure = String(a.nm ?? 'unstructured');
  const f = a['export-format'] ?? 'dense';
  if (!(EXPORT_FORMATS as readonly unknown[]).includes(f))
    throw new CliArgumentError(`--export-format ${String(f)}: use ${EXPORT_FORMATS.join(', ')}`);
  if (f === 'sparse-24-bitmask' && structure !== '2:4')
    throw new CliArgumentError(
      `--export-format sparse-24-bitmask stores exactly 2 of every 4 weights, so it needs --nm 2:4 (this run is ${structure}); use sparse-bitmask for other masks`,
    );
  return f as ExportFormat;
}

/** `npm run compare` flags: the methods to compare and the run flags. */
export const COMPARE_FLAGS: FlagTable = {
  methods: { kind: 'string', help: `comma-separated methods (default ${COMPARE_ORDER.join(',')})` },
  ...RUN_FLAGS,
  ...ID_FILE_FLAGS,
};

/** --method (prune): a registry method, the first one by default. */
export function methodFromArgs(a: Parsed): MethodName {
  const method = a.method ?? METHOD_NAMES[0];
  if (!isMethodName(method)) throw new CliArgumentError(`--method ${String(method)}: use ${orList(METHOD_NAMES)}`);
  return method;
}

/** --methods (compare): registry methods, cheapest first by default. */
export function methodsFromArgs(a: Parsed): MethodName[] {
  const names =
    a.methods === undefined
      ? [...COMPARE_ORDER]
      : String(a.methods)
          .split(',')
          .map((s) => s.trim());
  for (const m of names)
    if (!isMethodName(m)) throw new CliArgumentError(`--methods: unknown method "${m}"; use any of ${METHOD_NAMES.join(', ')}`);
  return names as MethodName[];
}
