// Reading, writing, encoding and checking RunConfig settings through the schema (configFields.ts):
// the URL hash (store/configStore.ts), the CLI (cli/args.ts), validation (runConfigCheck.ts) and the
// method panel all go through these, so a setting's name, range and default cannot drift apart.
import type { RunConfig } from './config';
import { DEFAULT_RUN } from './config';
import { CONFIG_FIELDS, type ConfigField, type SettingType } from './configFields';

export { CONFIG_FIELDS, type ConfigField, type SettingType } from './configFields';

export type SettingValue = string | number | boolean | string[];

const DATASET_ID = /^[\w-]+$/;

export class UnknownSettingError extends Error {
  constructor(key: string) {
    super(`no run setting "${key}"; the settings are ${CONFIG_FIELDS.map((f) => f.key).join(', ')}`);
    this.name = 'UnknownSettingError';
  }
}

export function fieldByKey(key: string): ConfigField {
  const f = CONFIG_FIELDS.find((x) => x.key === key);
  if (!f) throw new UnknownSettingError(key);
  return f;
}

/** The value at a schema path ('sparsity', 'besa.lambda'). */
export function getSetting(cfg: RunConfig, key: string): SettingValue {
  let v: unknown = cfg;
  for (const part of key.split('.')) v = (v as Record<string, unknown>)[part];
  return v as SettingValue;
}

/** A copy of cfg with the setting at `key` replaced (nested objects copied on the way, never written). */
export function setSetting(cfg: RunConfig, key: string, value: SettingValue): RunConfig {
  const put = (obj: Record<string, unknown>, path: string[]): Record<string, unknown> =>
    path.length === 1 ? { ...obj, [path[0]]: value } : { ...obj, [path[0]]: put(obj[path[0]] as Record<string, unknown>, path.slice(1)) };
  return put(cfg as unknown as Record<string, unknown>, key.split('.')) as unknown as RunConfig;
}

export function defaultSetting(f: ConfigField): SettingValue {
  return getSetting(DEFAULT_RUN, f.key);
}

/** Whether the setting matters for this config's method (and, e.g., its optimiser). */
export function fieldApplies(f: ConfigField, cfg: RunConfig): boolean {
  return (!f.methods || f.methods.includes(cfg.method)) && (f.activeWhen?.(cfg) ?? true);
}

/** The valid values in words: "a number in (0, 1)", "an integer >= 1", "one of row, layer". */
export function describeType(t: SettingType): string {
  switch (t.kind) {
    case 'number': {
      const lo = t.min === undefined ? '' : t.minOpen ? `> ${t.min}` : `>= ${t.min}`;
      const hi = t.max === undefined ? '' : t.maxOpen ? `< ${t.max}` : `<= ${t.max}`;
      if (t.min !== undefined && t.max !== undefined)
        return `a number in ${t.minOpen ? '(' : '['}${t.min}, ${t.max}${t.maxOpen ? ')' : ']'}`;
      return `a number${lo || hi ? ' ' + (lo || hi) : ''}`;
    }
    case 'int':
      return `an integer >= ${t.min}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${t.choices.map((c) => c.value).join(', ')}`;
    case 'id':
      return 'a dataset id (letters, digits, _ and -)';
    case 'idList':
      return 'a list of dataset ids (letters, digits, _ and -)';
  }
}

function inType(t: SettingType, v: unknown): boolean {
  switch (t.kind) {
    case 'number':
      return (
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (t.min === undefined || (t.minOpen ? v > t.min : v >= t.min)) &&
        (t.max === undefined || (t.maxOpen ? v < t.max : v <= t.max))
      );
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= t.min;
    case 'bool':
      return typeof v === 'boolean';
    case 'enum':
      return t.choices.some((c) => c.value === v);
    case 'id':
      return typeof v === 'string' && DATASET_ID.test(v);
    case 'idList':
      return Array.isArray(v) && v.every((x) => typeof x === 'string' && DATASET_ID.test(x));
  }
}

/** Where a user sets the field: its CLI flag, else its URL key; the UI label is named in the message. */
export function fieldWhere(f: ConfigField): string {
  return f.cli ? `--${f.cli.flag}` : `URL key ${f.hash}`;
}

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : Array.isArray(v) ? `"${v.join(',')}"` : String(v));

/** Who reads a message: the CLI's messages add the flag; the studio's name only its own controls. */
export type Front = 'cli' | 'studio';

/** Null when `value` is valid for the field, else a message naming the field (UI label, + flag for the CLI) and the fix. */
export function valueProblem(f: ConfigField, value: unknown, front: Front = 'cli'): string | null {
  if (inType(f.type, value)) return null;
  const where = front === 'cli' ? ` [${fieldWhere(f)}]` : '';
  return `${f.label} ${show(value)}: must be ${describeType(f.type)} (default ${show(defaultSetting(f))})${where}`;
}

/** The URL-hash text of a value. */
export function encodeSetting(f: ConfigField, v: SettingValue): string {
  if (f.type.kind === 'bool') return v ? '1' : '0';
  if (f.type.kind === 'idList') return (v as string[]).join(',');
  return String(v);
}

/** A URL-hash text back to a value; null when it is not a valid value of the field. */
export function decodeSetting(f: ConfigField, text: string): SettingValue | null {
  let v: SettingValue;
  switch (f.type.kind) {
    case 'number':
    case 'int':
      if (text === '') return null;
      v = Number(text) + 0; // + 0 turns -0 into 0, which is what the hash writes back
      break;
    case 'bool':
      if (text !== '1' && text !== '0') return null;
      v = text === '1';
      break;
    case 'idList':
      v = text === '' || text === 'none' ? [] : text.split(','); // "none" as on the CLI (--eval none)
      break;
    default:
      v = text;
  }
  return inType(f.type, v) ? v : null;
}
