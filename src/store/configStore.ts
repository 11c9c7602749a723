// The RunConfig being edited + which model to load, serialised to the URL hash (anchors §5 trait 9:
// a shared link reproduces the run, seed included). Read once on load, written on every change.
// Hash keys are short and flat; unknown or invalid values fall back to the defaults, never throw.
import { createStore } from 'zustand/vanilla';
import { DEFAULT_BESA, DEFAULT_RUN, type MethodName, type RunConfig, type Structure } from '../prune/config';

/** The studio's defaults: DEFAULT_RUN, with a browser-sized eval (the full protocol is evalWindows 0). */
export const STUDIO_DEFAULT: RunConfig = { ...DEFAULT_RUN, evalWindows: 16, evalDatasets: ['sotu-eval'] };

export interface ConfigState {
  config: RunConfig;
  /** Folder under public/models/ ('' = the default: sotu-llama-3m when present, else micro). */
  modelName: string;
  set(patch: Partial<RunConfig>): void;
  setBesa(patch: Partial<RunConfig['besa']>): void;
  setModelName(name: string): void;
  replace(config: RunConfig): void;
}

type Field = { key: string; get: (c: RunConfig) => string; put: (c: RunConfig, v: string) => RunConfig | null };

const num = (v: string, ok: (n: number) => boolean) => {
  const n = Number(v);
  return v !== '' && Number.isFinite(n) && ok(n) ? n : null;
};
const oneOf = <T extends string>(v: string, all: readonly T[]) => (all.includes(v as T) ? (v as T) : null);
const besa = (c: RunConfig, patch: Partial<RunConfig['besa']>): RunConfig => ({ ...c, besa: { ...c.besa, ...patch } });
const posInt = (n: number) => Number.isInteger(n) && n >= 1;

const FIELDS: Field[] = [
  { key: 'method', get: (c) => c.method, put: (c, v) => (oneOf<MethodName>(v, ['besa', 'wanda', 'sparsegpt', 'magnitude']) ? { ...c, method: v as MethodName } : null) },
  { key: 'nm', get: (c) => c.structure, put: (c, v) => (oneOf<Structure>(v, ['unstructured', '2:4', '4:8']) ? { ...c, structure: v as Structure } : null) },
  { key: 'sparsity', get: (c) => String(c.sparsity), put: (c, v) => map(num(v, (n) => n > 0 && n < 1), (sparsity) => ({ ...c, sparsity })) },
  { key: 'samples', get: (c) => String(c.nsamples), put: (c, v) => map(num(v, posInt), (nsamples) => ({ ...c, nsamples })) },
  { key: 'seqlen', get: (c) => String(c.seqlen), put: (c, v) => map(num(v, (n) => Number.isInteger(n) && n >= 2), (seqlen) => ({ ...c, seqlen })) },
  { key: 'seed', get: (c) => String(c.seed), put: (c, v) => map(num(v, (n) => Number.isInteger(n) && n >= 0), (seed) => ({ ...c, seed })) },
  { key: 'calib', get: (c) => c.calibration, put: (c, v) => (/^[\w-]+$/.test(v) ? { ...c, calibration: v } : null) },
  { key: 'eval', get: (c) => c.evalDatasets.join(','), put: (c, v) => (v === '' || /^[\w-]+(,[\w-]+)*$/.test(v) ? { ...c, evalDatasets: v ? v.split(',') : [] } : null) },
  { key: 'evalwin', get: (c) => String(c.evalWindows), put: (c, v) => map(num(v, (n) => Number.isInteger(n) && n >= 0), (evalWindows) => ({ ...c, evalWindows })) },
  { key: 'gran', get: (c) => c.besa.granularity, put: (c, v) => (oneOf(v, ['row', 'layer'] as const) ? besa(c, { granularity: v as 'row' | 'layer' }) : null) },
  { key: 'lambda', get: (c) => String(c.besa.lambda), put: (c, v) => map(num(v, (n) => n >= 0), (lambda) => besa(c, { lambda })) },
  { key: 'cstep', get: (c) => String(c.besa.candidateStep), put: (c, v) => map(num(v, (n) => n > 0 && n <= 1), (candidateStep) => besa(c, { candidateStep })) },
  { key: 'opt', get: (c) => c.besa.optimizer, put: (c, v) => (oneOf(v, ['prodigy', 'adam'] as const) ? besa(c, { optimizer: v as 'prodigy' | 'adam' }) : null) },
  { key: 'dcoef', get: (c) => String(c.besa.dCoef), put: (c, v) => map(num(v, (n) => n > 0), (dCoef) => besa(c, { dCoef })) },
  { key: 'lr', get: (c) => String(c.besa.adamLr), put: (c, v) => map(num(v, (n) => n > 0), (adamLr) => besa(c, { adamLr })) },
  { key: 'epochs', get: (c) => String(c.besa.epochs), put: (c, v) => map(num(v, posInt), (epochs) => besa(c, { epochs })) },
  { key: 'sigmoid', get: (c) => (c.besa.sigmoid ? '1' : '0'), put: (c, v) => (v === '1' || v === '0' ? besa(c, { sigmoid: v === '1' }) : null) },
  { key: 'target', get: (c) => c.besa.target, put: (c, v) => (oneOf(v, ['pruned-input', 'dense-chain'] as const) ? besa(c, { target: v as RunConfig['besa']['target'] }) : null) },
  { key: 'imp', get: (c) => c.besa.importance, put: (c, v) => (oneOf(v, ['wanda', 'weight'] as const) ? besa(c, { importance: v as 'wanda' | 'weight' }) : null) },
  { key: 'fmask', get: (c) => c.besa.finalMask, put: (c, v) => (oneOf(v, ['match-target', 'reference'] as const) ? besa(c, { finalMask: v as RunConfig['besa']['finalMask'] }) : null) },
  { key: 'maggran', get: (c) => c.magnitudeGranularity, put: (c, v) => (oneOf(v, ['layer', 'row'] as const) ? { ...c, magnitudeGranularity: v as 'layer' | 'row' } : null) },
  { key: 'damp', get: (c) => String(c.sparsegptPercdamp), put: (c, v) => map(num(v, (n) => n >= 0), (sparsegptPercdamp) => ({ ...c, sparsegptPercdamp })) },
  { key: 'sgbs', get: (c) => String(c.sparsegptBlocksize), put: (c, v) => map(num(v, posInt), (sparsegptBlocksize) => ({ ...c, sparsegptBlocksize })) },
];

function map<T>(v: T | null, f: (v: T) => RunConfig): RunConfig | null {
  return v === null ? null : f(v);
}

/** `#model=micro&method=besa&...` → config + model name (invalid entries ignored). */
export function parseHash(hash: string, base: RunConfig = STUDIO_DEFAULT): { config: RunConfig; modelName: string; ignored: string[] } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  let config: RunConfig = { ...base, besa: { ...DEFAULT_BESA, ...base.besa } };
  const ignored: string[] = [];
  for (const f of FIELDS) {
    const v = params.get(f.key);
    if (v === null) continue;
    const next = f.put(config, v);
    if (next) config = next;
    else ignored.push(f.key);
  }
  const m = params.get('model') ?? '';
  return { config, modelName: /^[\w.-]*$/.test(m) ? m : '', ignored };
}

export function formatHash(config: RunConfig, modelName: string): string {
  const p = new URLSearchParams();
  if (modelName) p.set('model', modelName);
  for (const f of FIELDS) p.set(f.key, f.get(config));
  return '#' + p.toString();
}

const fromUrl = typeof location !== 'undefined' ? parseHash(location.hash) : { config: STUDIO_DEFAULT, modelName: '' };

export const configStore = createStore<ConfigState>()((set) => ({
  config: fromUrl.config,
  modelName: fromUrl.modelName,
  set: (patch) => set((s) => ({ config: { ...s.config, ...patch } })),
  setBesa: (patch) => set((s) => ({ config: besa(s.config, patch) })),
  setModelName: (modelName) => set({ modelName }),
  replace: (config) => set({ config }),
}));

/** Keep location.hash in sync (replaceState: editing a field should not add history entries). */
export function syncHash(): () => void {
  return configStore.subscribe((s) => {
    const h = formatHash(s.config, s.modelName);
    if (h !== location.hash) history.replaceState(null, '', h);
  });
}
