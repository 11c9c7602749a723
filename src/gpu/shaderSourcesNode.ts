// Node: read shaders/*.wgsl from the repository so the CLI, benchmarks and GPU tests use the very
// same WGSL files as the browser bundle.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerShaderSources } from './shaderSources';

export function loadShadersFromDisk(dir = join(dirname(fileURLToPath(import.meta.url)), '../../shaders')): void {
  const entries: Record<string, string> = {};
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.wgsl')) entries[f.replace(/\.wgsl$/, '')] = readFileSync(join(dir, f), 'utf8');
  }
  registerShaderSources(entries);
}
