import { describe, expect, it } from 'vitest';
import { ShaderNotRegisteredError } from '../../../src/gpu/errors';
import { getShaderSource, registerShaderSources } from '../../../src/gpu/shaderSources';
import { loadShadersFromDisk } from '../../../src/gpu/shaderSourcesNode';

describe('shader registry', () => {
  it('replaces //#include lines with the named snippet, and names a missing one', () => {
    registerShaderSources({ t_kernel: 'a\n//#include _t_snip\nb', _t_snip: 'fn f() {}', t_bad: '//#include _t_missing' });
    expect(getShaderSource('t_kernel')).toBe('a\nfn f() {}\nb');
    expect(() => getShaderSource('t_bad')).toThrow(ShaderNotRegisteredError);
    expect(() => getShaderSource('t_bad')).toThrow(/_t_missing\.wgsl" is not registered/);
  });

  it('the shipped kernel that includes _reduce64 comes out with its helpers and no include line left', () => {
    loadShadersFromDisk();
    for (const k of ['cross_entropy']) {
      const code = getShaderSource(k);
      expect(code).toContain('fn reduceMax');
      expect(code).not.toMatch(/^\/\/#include/m);
    }
  });
});
