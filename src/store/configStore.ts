// The RunConfig being edited + which model to load, serialised to the URL hash (docs/architecture.md §10:
// a shared link reproduces the run, seed included). Read once on load, written on every change.
// Hash keys are short and flat (the schema's `hash`, src/prune/configFields.ts); unknown or invalid values
// fall back to the defaults, never throw.
import { createStore } from 'zustand/vanilla';
import { DEFAULT_BESA, DEFAULT_RUN, type RunConfig } from '../prune/config';
import {
  CONFIG_FIELDS,
  decodeSetting,
  describeType,
  encodeSetting,
  getSetting,
  setSetting,
  type SettingValue,
} from '../prune/configSchema';
import { ENGINE_REQUESTS, isEngineRequest, type EngineRequest } from '../prune/engineChoice';

/** The model folders under public/models/ that the build ships (a URL hash may name one of them). */
export const BUNDLED_MODELS = ['sotu-llama-3m', 'sotu-gpt2-3m', 'micro'] as const;

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
  /**
   * Text typed into a field that is not a valid value (key → text), kept so the field shows what was
   * typed and is marked; the config keeps its last valid value. Cleared when the field gets a valid value.
   */
  drafts: Readonly<Record<string, string>>;
  setDraft(key: string, text: string | null): void;
  /** What the page's URL hash asked for that could not be used (shown in a notice until dismissed). */
  hashProblems: string[];
  dismissHashProblems(): void;
}

export interface ParsedHash {
  config: RunConfig;
  modelName: string;
  engine: EngineRequest;
  /** Hash keys whose values were invalid (the defaults were kept). */
  ignored: string[];
  /** One sentence per invalid entry: the UI's name, the value, what is allowed, what was kept. */
  problems: string[];
}

/** `#model=micro&method=besa&...` → config + model name + engine (invalid entries ignored, and named). */
export function parseHash(hash: string, base: RunConfig = STUDIO_DEFAULT): ParsedHash {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  let config: RunConfig = { ...base, besa: { ...DEFAULT_BESA, ...base.besa } };
  const ignored: string[] = [];
  const problems: string[] = [];
  const bad = (key: string, label: string, text: string, must: string, kept: string) => {
    ignored.push(key);
    problems.push(`${label} "${text.length > 40 ? text.slice(0, 40) + '…' : text}" [${key}]: must be ${must}; kept ${kept}`);
  };
  for (const f of CONFIG_FIELDS) {
    const text = params.get(f.hash);
    if (text === null) continue;
    const v = decodeSetting(f, text);
    if (v !== null) config = setSetting(config, f.key, v);
    else {
      const must = f.type.kind === 'bool' ? '1 (on) or 0 (off)' : describeType(f.type); // how the link writes it
      bad(f.hash, f.label, text, must, encodeSetting(f, getSetting(config, f.key)) || 'none');
    }
  }
  const m = params.get('model') ?? '';
  const modelOk = m === '' || (BUNDLED_MODELS as readonly string[]).includes(m);
  if (!modelOk)
    problems.push(
      `model "${m.slice(0, 40)}" [model]: not found; the bundled models are ${BUNDLED_MODELS.join(', ')} (load your own with "choose files"); loading the default`,
    );
  const e = params.get('engine') ?? 'auto';
  if (!isEngineRequest(e)) bad('engine', 'engine', e, `one of ${ENGINE_REQUESTS.join(', ')}`, 'auto');
  return { config, modelName: modelOk ? m : '', engine: isEngineRequest(e) ? e : 'auto', ignored, problems };
}

export function formatHash(config: RunConfig, modelName: string, engine: EngineRequest = 'auto'): string {
  const p = new URLSearchParams();
  if (modelName) p.set('model', modelName);
  if (engine !== 'auto') p.set('engine', engine);
  for (const f of CONFIG_FIELDS) p.set(f.hash, encodeSetting(f, getSetting(config, f.key)));
  return '#' + p.toString();
}

const fromUrl: Omit<ParsedHash, 'ignored'> =
  typeof location !== 'undefined' ? parseHash(location.hash) : { config: STUDIO_DEFAULT, modelName: '', engine: 'auto', problems: [] };

/** The drafts left once the fields in `keys` have been given valid values. */
function withoutDrafts(drafts: Readonly<Record<string, string>>, keys: string[]): Readonly<Record<string, string>> {
  if (!keys.some((k) => k in drafts)) return drafts;
  return Object.fromEntries(Object.entries(drafts).filter(([k]) => !keys.includes(k)));
}

export const configStore = createStore<ConfigState>()((set) => ({
  config: fromUrl.config,
  modelName: fromUrl.modelName,
  engine: fromUrl.engine,
  hashProblems: fromUrl.problems,
  drafts: {},
  dismissHashProblems: () => set({ hashProblems: [] }),
  set: (patch) => set((s) => ({ config: { ...s.config, ...patch }, drafts: withoutDrafts(s.drafts, Object.keys(patch)) })),
  setBesa: (patch) =>
    set((s) => ({
      config: { ...s.config, besa: { ...s.config.besa, ...patch } },
      drafts: withoutDrafts(
        s.drafts,
        Object.keys(patch).map((k) => `besa.${k}`),
      ),
    })),
  setSetting: (key, value) => set((s) => ({ config: setSetting(s.config, key, value), drafts: withoutDrafts(s.drafts, [key]) })),
  setDraft: (key, text) => set((s) => ({ drafts: text === null ? withoutDrafts(s.drafts, [key]) : { ...s.drafts, [key]: text } })),
  setModelName: (modelName) => set({ modelName }),
  setEngine: (engine) => set({ engine }),
  replace: (config) => set({ config, drafts: {} }),
}));

/** Keep location.hash in sync (replaceState: editing a field should not add history entries). */
export function syncHash(): () => void {
  return configStore.subscribe((s) => {
    const h = formatHash(s.config, s.modelName, s.engine);
    if (h !== location.hash) history.replaceState(null, '', h);
  });
}
