// The method registry: every method is reachable from every front end (CLI --method/--methods, the URL
// hash, the studio's method menu), a structure a method lacks is refused by name, and the capabilities
// the pipeline asks for match what each method does.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { CliArgumentError, methodFromArgs, methodsFromArgs } from '../../../src/cli/args';
import type { Structure } from '../../../src/prune/config';
import { COMPARE_ORDER, METHOD_NAMES, METHODS, methodOf, structureFor, UnknownMethodError } from '../../../src/prune/methods/registry';
import { checkRunConfig, RunConfigError } from '../../../src/prune/runConfigCheck';
import { parseHash } from '../../../src/store/configStore';
import { COMPARE_PRESETS } from '../../../src/store/compareStore';
import { loadMicro, microConfig } from './engineFixture';

const ALL_STRUCTURES: Structure[] = ['unstructured', '2:4', '4:8'];

/**
 * The method panel rendered to HTML for a page opened at `hash`. Server rendering reads a store's initial
 * state, so the modules are reloaded with location.hash set: the config comes in through the URL parser.
 */
async function renderPanel(hash: string): Promise<string> {
  const g = globalThis as { location?: { hash: string } };
  g.location = { hash };
  try {
    vi.resetModules();
    const { MethodPanel } = await import('../../../src/ui/MethodPanel');
    return renderToStaticMarkup(createElement(MethodPanel));
  } finally {
    delete g.location;
  }
}

describe('method registry', () => {
  it('has unique names; the CLI comparison order is a permutation of them, cheapest first', () => {
    expect(new Set(METHOD_NAMES).size).toBe(METHODS.length);
    expect([...COMPARE_ORDER].sort()).toEqual([...METHOD_NAMES].sort());
    expect(COMPARE_ORDER).toEqual(['magnitude', 'wanda', 'sparsegpt', 'besa']); // the documented default of --methods
    expect(() => methodOf('nope' as never)).toThrow(UnknownMethodError);
  });

  it('every method is accepted by the CLI (--method, --methods), the URL hash and the panel menu', async () => {
    for (const name of METHOD_NAMES) {
      expect(methodFromArgs({ method: name })).toBe(name);
      const h = parseHash(`#method=${name}`);
      expect(h.config.method).toBe(name);
      expect(h.ignored).toEqual([]);
    }
    expect(methodsFromArgs({ methods: METHOD_NAMES.join(',') })).toEqual(METHOD_NAMES);
    expect(methodFromArgs({})).toBe(METHOD_NAMES[0]);
    expect(() => methodFromArgs({ method: 'obs' })).toThrow(CliArgumentError);
    expect(() => methodFromArgs({ method: 'obs' })).toThrow(new RegExp(METHOD_NAMES.join('.*')));
    expect(() => methodsFromArgs({ methods: 'wanda,obs' })).toThrow(/unknown method "obs"/);
    expect(parseHash('#method=obs').ignored).toEqual(['method']);
    // The panel, rendered: one <option> per registry method, with its menu label.
    const html = await renderPanel('');
    const menu = /<select data-testid="method"[^>]*>(.*?)<\/select>/.exec(html)![1];
    expect([...menu.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1])).toEqual(METHOD_NAMES);
    for (const m of METHODS) expect(menu).toContain(`>${m.menuLabel.replace(/&/g, '&amp;')}</option>`);
  });

  it("the panel shows the pattern menu only for methods with N:M modes, and only that method's settings", async () => {
    for (const m of METHODS) {
      const html = await renderPanel(`#method=${m.name}`);
      expect(html).toContain(`<option value="${m.name}" selected="">`);
      expect(html.includes('data-testid="structure"')).toBe(m.structures.length > 1);
      expect(html.includes('data-testid="lambda"')).toBe(m.name === 'besa');
      expect(html).toContain(`title="${m.help}"`); // the menu's hover text is the selected method's help
    }
  });

  it('refuses a structure the method does not support, naming the method and the structure; accepts the rest', async () => {
    const { spec } = await loadMicro();
    let refused = 0;
    for (const m of METHODS)
      for (const s of ALL_STRUCTURES) {
        const sparsity = s === 'unstructured' ? 0.5 : Number(s[0]) / Number(s[2]);
        const cfg = microConfig({ method: m.name, structure: s, sparsity });
        if (m.supportsStructure(s)) {
          expect(() => checkRunConfig(cfg, spec)).not.toThrow();
          expect(structureFor(m.name, s)).toBe(s);
          continue;
        }
        refused++;
        let err: unknown;
        try {
          checkRunConfig(cfg, spec);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(RunConfigError);
        expect((err as RunConfigError).problems).toHaveLength(1);
        expect((err as RunConfigError).message).toContain(m.label);
        expect((err as RunConfigError).message).toContain(s);
        expect((err as RunConfigError).message).toMatch(/no N:M mode|supports only/);
        expect(structureFor(m.name, s)).toBe('unstructured');
      }
    expect(refused).toBe(2); // BESA: 2:4 and 4:8 (docs/besa.md §1.10)
  });

  it('capabilities: BESA learns per step (epochs × samples units), the others are one shot with their statistics', () => {
    const cfg = microConfig({ besa: { ...microConfig().besa, epochs: 3 } });
    expect(methodOf('besa').learnsPerStep).toBe(true);
    expect(methodOf('besa').stepsPerBlock(cfg, 7)).toBe(21);
    expect(methodOf('besa').needs(cfg)).toMatchObject({ wandaScaler: true, hessian: false, gradients: true });
    expect(methodOf('besa').needs({ ...cfg, besa: { ...cfg.besa, importance: 'weight' } }).wandaScaler).toBe(false);
    expect(methodOf('besa').usesDenseChain({ ...cfg, besa: { ...cfg.besa, target: 'dense-chain' } })).toBe(true);
    for (const name of ['wanda', 'sparsegpt', 'magnitude'] as const) {
      expect(methodOf(name).learnsPerStep).toBe(false);
      expect(methodOf(name).stepsPerBlock(cfg, 7)).toBe(1);
      expect(methodOf(name).usesDenseChain({ ...cfg, besa: { ...cfg.besa, target: 'dense-chain' } })).toBe(false);
    }
    expect(methodOf('wanda').needs(cfg)).toMatchObject({ wandaScaler: true, hessian: false });
    expect(methodOf('sparsegpt').needs(cfg)).toMatchObject({ wandaScaler: false, hessian: true });
    expect(methodOf('magnitude').needs(cfg)).toMatchObject({ calibration: false, wandaScaler: false, hessian: false });
  });

  it('compare presets: one unstructured row per method, then the 2:4 rows (labels unchanged)', () => {
    expect(COMPARE_PRESETS.map((p) => p.label)).toEqual(['BESA', 'Wanda', 'SparseGPT', 'Magnitude', 'Wanda 2:4', 'SparseGPT 2:4']);
    const base = microConfig({ sparsity: 0.6 });
    expect(COMPARE_PRESETS[4].patch(base)).toMatchObject({ method: 'wanda', structure: '2:4', sparsity: 0.5 });
    expect(COMPARE_PRESETS[0].patch({ ...base, structure: '2:4' })).toMatchObject({
      method: 'besa',
      structure: 'unstructured',
      sparsity: 0.6,
    });
  });
});
