// The RunConfig being edited + which model to load, serialised to the URL hash (docs/architecture.md §10:
// a shared link reproduces the run, seed included). Read once on load, written on every change.
// Hash keys are short and flat (the schema's `hash`, src/prune/configFields.ts); unknown or invalid values
// fall back to the defaults, never throw.
import { createStore } from 'zustand/vanilla';
import { DEFAULT_BESA, DEFAULT_RUN, type RunConfig } from '../prune/config';
import { CONFIG_FIELDS, decodeSetting, encodeSetting, getSetting, setSetting, type SettingValue } from '../prune/configSchema';
import { isEngineRequest, type EngineRequest } from '../prune/engineChoice';

/** The studio's defaults: DEFAULT_RUN, with a browser-sized eval (the full protocol is evalWindows 0). */
export const STUDIO_DEFAULT: RunConfig = { ...DEFAULT_RUN, evalWindows: 16, evalDatasets: ['sotu-eval'] };

export interface ConfigState {
  config: RunConfig;
  /** Folder under public/models/ ('' = the default: sotu-llama-3m when present, else micro). */
  modelName: string;
  /** Which engine runs the jobs (src/prune/engineChoice.ts); hash key `engine`, omitted for auto. */
  engine: EngineRequest;
  set(patch: Partial<RunConfig>): void;
  setBesa(patch: Partial<RunConfig['besa']>): void;
  /** Set one schema setting by its path ('besa.lambda'). */
  setSetting(key: string, value: SettingValue): void;
  setModelName(name: string): void;
  setEngine(engine: EngineRequest): void;
  replace(config: RunConfig): void;
}

export interface ParsedHash {
  config: RunConfig;
  modelName: string;
  engine: EngineRequest;
  /** Hash keys whose values were invalid (the defaults were kept). */
  ignored: string[];
}

/** `#model=micro&method=besa&...` → config + model name + engine (invalid entries ignored). */
export function parseHash(hash: string, base: RunConfig = STUDIO_DEFAULT): ParsedHash {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  let config: RunConfig = { ...base, besa: { ...DEFAULT_BESA, ...base.besa } };
  const ignored: string[] = [];
  for (const f of CONFIG_FIELDS) {
    const text = params.get(f.hash);
    if (text === null) continue;
    const v = decodeSetting(f, text);
    if (v !== null) config = setSetting(config, f.key, v);
    else ignored.push(f.hash);
  }
  const m = params.get('model') ?? '';
  const e = params.get('engine') ?? 'auto';
  if (!isEngineRequest(e)) ignored.push('engine');
  return { config, modelName: /^[\w.-]*$/.test(m) ? m : '', engine: isEngineRequest(e) ? e : 'auto', ignored };
}

export function formatHash(config: RunConfig, modelName: string, engine: EngineRequest = 'auto'): string {
  const p = new URLSearchParams();
  if (modelName) p.set('model', modelName);
  if (engine !== 'auto') p.set('engine', engine);
  for (const f of CONFIG_FIELDS) p.set(f.hash, encodeSetting(f, getSetting(config, f.key)));
  return '#' + p.toString();
}

const fromUrl: Omit<ParsedHash, 'ignored'> =
  typeof location !== 'undefined' ? parseHash(location.hash) : { config: STUDIO_DEFAULT, modelName: '', engine: 'auto' };

export const configStore = createStore<ConfigState>()((set) => ({
  config: fromUrl.config,
  modelName: fromUrl.modelName,
  engine: fromUrl.engine,
  set: (patch) => set((s) => ({ config: { ...s.config, ...patch } })),
  setBesa: (patch) => set((s) => ({ config: { ...s.config, besa: { ...s.config.besa, ...patch } } })),
  setSetting: (key, value) => set((s) => ({ config: setSetting(s.config, key, value) })),
  setModelName: (modelName) => set({ modelName }),
  setEngine: (engine) => set({ engine }),
  replace: (config) => set({ config }),
}));

/** Keep location.hash in sync (replaceState: editing a field should not add history entries). */
export function syncHash(): () => void {
  return configStore.subscribe((s) => {
    const h = formatHash(s.config, s.modelName, s.engine);
    if (h !== location.hash) history.replaceState(null, '', h);
  });
}
