// Locating the shipped models and fixtures. They are committed, so a test that needs them fails
// (never skips) when one is missing.

import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');

/** The studio's built-in default model (trained by tools/train.py). */
export const DEFAULT_MODEL_DIR = join(ROOT, 'public/models/sotu-llama-3m');

/** The shipped model folders other than micro; throws when the default model is missing. */
export function defaultModelDirs(): string[] {
  const base = join(ROOT, 'public/models');
  const dirs = readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'micro')
    .map((d) => join(base, d.name));
  if (!dirs.includes(DEFAULT_MODEL_DIR) || !existsSync(join(DEFAULT_MODEL_DIR, 'model.safetensors'))) {
    throw new Error(`the default model is missing from ${DEFAULT_MODEL_DIR}; run tools/train.py (tools/README.md)`);
  }
  return dirs;
}
