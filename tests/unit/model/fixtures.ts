// Locating the colleagues' fixtures (default model, micro golden). Tests that need them are skipped
// with a clear name while the files are not there yet.

import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');

/** public/models/<name>/ folders that look like a trained default model (tokenizer.json + eval.json). */
export function defaultModelDirs(): string[] {
  const base = join(ROOT, 'public/models');
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'micro')
    .map((d) => join(base, d.name))
    .filter((d) => existsSync(join(d, 'tokenizer.json')) && existsSync(join(d, 'config.json')) && existsSync(join(d, 'model.safetensors')));
}
