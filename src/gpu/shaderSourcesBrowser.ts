// Registers every shaders/*.wgsl file with the shader registry at bundle time (Vite raw import).
import { registerShaderSources } from './shaderSources';

const modules = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true });
const entries: Record<string, string> = {};
for (const [path, code] of Object.entries(modules)) {
  const name = path
    .split('/')
    .pop()!
    .replace(/\.wgsl$/, '');
  entries[name] = code as string;
}
registerShaderSources(entries);
