// Command-line parsing shared by `npm run prune` and `npm run compare`: a small strict parser (every
// flag is declared; unknown flags, missing values and bad numbers are CliArgumentError with the fix)
// and the mapping of flags onto a RunConfig.
import { DEFAULT_BESA, DEFAULT_RUN, type MethodName, type RunConfig, type Structure } from '../prune/config';
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
      for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
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
  return [`usage: npm run ${cmd} -- [options]`, ...Object.entries(table).map(([k, s]) => `  --${k.padEnd(w)}${s.kind === 'bool' ? '' : `<${s.kind}> `}${s.help}`)].join('\n');
}

/** Flags that define a pruning run (shared by prune and compare). */
export const RUN_FLAGS: FlagTable = {
  model: { kind: 'string', help: 'model folder (config.json + model.safetensors + tokenizer.json) or a llama2.c .bin file' },
  sparsity: { kind: 'number', help: `target sparsity α̂ (default ${DEFAULT_RUN.sparsity})` },
  nm: { kind: 'string', help: 'N:M semi-structured pattern, 2:4 or 4:8 (Wanda/SparseGPT/magnitude; needs --sparsity 0.5)' },
  samples: { kind: 'int', help: `calibration sequences (default ${DEFAULT_RUN.nsamples})` },
  seqlen: { kind: 'int', help: `tokens per calibration/eval window (default min(${DEFAULT_RUN.seqlen}, max_position_embeddings))` },
  seed: { kind: 'int', help: `calibration sampling seed (default ${DEFAULT_RUN.seed})` },
  calib: { kind: 'string', help: `calibration dataset id, read from <data-dir>/<id>.txt (default ${DEFAULT_RUN.calibration})` },
  eval: { kind: 'string', help: `comma-separated eval dataset ids (default ${DEFAULT_RUN.evalDatasets.join(',')}); "none" to skip` },
  'eval-windows': { kind: 'int', help: 'evaluate only the first K windows of each eval set (default 0 = all, the protocol number)' },
  'data-dir': { kind: 'string', help: 'folder with the dataset .txt files (default public/data)' },
  layerwise: { kind: 'bool', help: 'BESA: one θ per linear instead of per output row (spec §1.3)' },
  'no-sigmoid': { kind: 'bool', help: 'BESA: p = softmax(θ) instead of softmax(sigmoid θ); needed for targets above ~0.62' },
  lambda: { kind: 'number', help: `BESA sparsity penalty weight (default ${DEFAULT_BESA.lambda})` },
  'd-coef': { kind: 'number', help: `BESA Prodigy d_coef (default ${DEFAULT_BESA.dCoef})` },
  optimizer: { kind: 'string', help: 'BESA optimiser: prodigy (default) or adam' },
  'adam-lr': { kind: 'number', help: `BESA Adam learning rate (default ${DEFAULT_BESA.adamLr})` },
  epochs: { kind: 'int', help: `BESA passes over the calibration samples (default ${DEFAULT_BESA.epochs})` },
  'dense-target': { kind: 'bool', help: 'BESA: reconstruct the dense-chain output (spec §1.6 --prune-dense) instead of the dense block on pruned inputs' },
  'reference-mask': { kind: 'bool', help: "BESA: final mask floor(s_row·C) exactly as the released code (lands under the target) instead of rounding the learned allocation to hit it" },
  'weight-importance': { kind: 'bool', help: 'BESA: sort by |W| instead of the Wanda metric' },
  'magnitude-rows': { kind: 'bool', help: 'magnitude: per-row threshold instead of one per layer' },
  percdamp: { kind: 'number', help: `SparseGPT damping (default ${DEFAULT_RUN.sparsegptPercdamp})` },
  blocksize: { kind: 'int', help: `SparseGPT column block (default ${DEFAULT_RUN.sparsegptBlocksize})` },
  cpu: { kind: 'bool', help: 'use the CPU reference executor instead of WebGPU' },
  out: { kind: 'string', help: 'output folder' },
  help: { kind: 'bool', help: 'show this help' },
};

const pick = <T extends string>(v: unknown, allowed: readonly T[], flag: string, dflt: T): T => {
  if (v === undefined) return dflt;
  if (!allowed.includes(v as T)) throw new CliArgumentError(`--${flag} ${String(v)}: use one of ${allowed.join(', ')}`);
  return v as T;
};

export function runConfigFromArgs(a: Parsed, method: MethodName, maxSeqLen: number): RunConfig {
  const structure = a.nm === undefined ? 'unstructured' : pick<Structure>(a.nm, ['2:4', '4:8'], 'nm', 'unstructured');
  const evalSets = a.eval === undefined ? DEFAULT_RUN.evalDatasets : a.eval === 'none' ? [] : String(a.eval).split(',').map((s) => s.trim()).filter(Boolean);
  return {
    ...DEFAULT_RUN,
    method,
    structure,
    sparsity: (a.sparsity as number | undefined) ?? DEFAULT_RUN.sparsity,
    nsamples: (a.samples as number | undefined) ?? DEFAULT_RUN.nsamples,
    seqlen: (a.seqlen as number | undefined) ?? Math.min(DEFAULT_RUN.seqlen, maxSeqLen),
    seed: (a.seed as number | undefined) ?? DEFAULT_RUN.seed,
    calibration: (a.calib as string | undefined) ?? DEFAULT_RUN.calibration,
    evalDatasets: evalSets,
    evalWindows: (a['eval-windows'] as number | undefined) ?? DEFAULT_RUN.evalWindows,
    magnitudeGranularity: a['magnitude-rows'] ? 'row' : 'layer',
    sparsegptPercdamp: (a.percdamp as number | undefined) ?? DEFAULT_RUN.sparsegptPercdamp,
    sparsegptBlocksize: (a.blocksize as number | undefined) ?? DEFAULT_RUN.sparsegptBlocksize,
    besa: {
      ...DEFAULT_BESA,
      granularity: a.layerwise ? 'layer' : 'row',
      sigmoid: !a['no-sigmoid'],
      lambda: (a.lambda as number | undefined) ?? DEFAULT_BESA.lambda,
      dCoef: (a['d-coef'] as number | undefined) ?? DEFAULT_BESA.dCoef,
      optimizer: pick(a.optimizer, ['prodigy', 'adam'] as const, 'optimizer', DEFAULT_BESA.optimizer),
      adamLr: (a['adam-lr'] as number | undefined) ?? DEFAULT_BESA.adamLr,
      epochs: (a.epochs as number | undefined) ?? DEFAULT_BESA.epochs,
      target: a['dense-target'] ? 'dense-chain' : 'pruned-input',
      importance: a['weight-importance'] ? 'weight' : 'wanda',
      finalMask: a['reference-mask'] ? 'reference' : 'match-target',
    },
  };
}

/** `npm run prune` flags: the method, the run flags, --resume. */
export const PRUNE_FLAGS: FlagTable = {
  method: { kind: 'string', help: `${METHOD_NAMES[0]} (default), ${orList(METHOD_NAMES.slice(1))}` },
  ...RUN_FLAGS,
  resume: { kind: 'bool', help: 'continue an interrupted run from <out>/checkpoint (same model and options)' },
};

/** `npm run compare` flags: the methods to compare and the run flags. */
export const COMPARE_FLAGS: FlagTable = {
  methods: { kind: 'string', help: `comma-separated methods (default ${COMPARE_ORDER.join(',')})` },
  ...RUN_FLAGS,
};

/** --method (prune): a registry method, the first one by default. */
export function methodFromArgs(a: Parsed): MethodName {
  const method = a.method ?? METHOD_NAMES[0];
  if (!isMethodName(method)) throw new CliArgumentError(`--method ${String(method)}: use ${orList(METHOD_NAMES)}`);
  return method;
}

/** --methods (compare): registry methods, cheapest first by default. */
export function methodsFromArgs(a: Parsed): MethodName[] {
  const names = a.methods === undefined ? [...COMPARE_ORDER] : String(a.methods).split(',').map((s) => s.trim());
  for (const m of names) if (!isMethodName(m)) throw new CliArgumentError(`--methods: unknown method "${m}"; use any of ${METHOD_NAMES.join(', ')}`);
  return names as MethodName[];
}
