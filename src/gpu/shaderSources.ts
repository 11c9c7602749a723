// WGSL sources by file name (without .wgsl). The browser build registers them through Vite's
// import.meta.glob (shaderSourcesBrowser.ts); Node reads shaders/ from disk (shaderSourcesNode.ts).
// Kernel wrappers only call getShaderSource, so the same wrapper runs in both environments.

import { ShaderNotRegisteredError } from './errors';

const sources = new Map<string, string>();

export function registerShaderSources(entries: Record<string, string>): void {
  for (const [name, code] of Object.entries(entries)) sources.set(name, code);
}

/**
 * Source of shaders/<name>.wgsl with `//#include <snippet>` lines replaced by shaders/<snippet>.wgsl
 * (snippets start with "_" and hold shared helpers, e.g. _reduce64's workgroup reductions; WGSL itself
 * has no includes).
 */
export function getShaderSource(name: string): string {
  return rawSource(name).replace(/^\/\/#include (\w+)[ \t]*$/gm, (_, snippet: string) => rawSource(snippet));
}

function rawSource(name: string): string {
  const code = sources.get(name);
  if (code === undefined) {
    throw new ShaderNotRegisteredError(name, [...sources.keys()].sort());
  }
  return code;
}

export function hasShaderSources(): boolean {
  return sources.size > 0;
}
