// Settings checked as typed (issue #14): every problem at once, each on its field, in the studio's words.
import { describe, expect, it } from 'vitest';
import { tinyModelSpec } from '../../support/specs';
import { configStore, STUDIO_DEFAULT } from '../../../src/store/configStore';
import { draftProblem, studioSettingProblems } from '../../../src/store/settingsCheck';
import { settingProblems } from '../../../src/prune/runConfigCheck';

const spec = tinyModelSpec();

describe('studio setting problems', () => {
  it('a valid config has none, with or without a model', () => {
    expect(studioSettingProblems(STUDIO_DEFAULT, {}, spec)).toEqual([]);
    expect(studioSettingProblems(STUDIO_DEFAULT, {}, null)).toEqual([]);
  });

  it('lists every invalid field at once, keyed to it, with the label and range and no CLI flag', () => {
    const cfg = { ...STUDIO_DEFAULT, sparsity: 1.5, seqlen: 0, besa: { ...STUDIO_DEFAULT.besa, lambda: -1 } };
    const problems = studioSettingProblems(cfg, { nsamples: '2.5' }, spec);
    expect(problems.map((p) => p.key)).toEqual(['nsamples', 'sparsity', 'seqlen', 'besa.lambda']);
    expect(problems[0].text).toBe('samples "2.5": must be an integer >= 1');
    expect(problems[1].text).toBe('target sparsity 1.5: must be a number in (0, 1) (default 0.5)');
    for (const p of problems) expect(p.text).not.toMatch(/--|URL key/);
    // the CLI's wording of the same rule names the flag
    expect(settingProblems(cfg, spec).problems[0].text).toContain('[--sparsity]');
  });

  it('a draft stands for its field: the stale config value of that field is not reported twice', () => {
    const cfg = { ...STUDIO_DEFAULT, nsamples: 0 };
    const problems = studioSettingProblems(cfg, { nsamples: '' }, spec);
    expect(problems).toEqual([{ key: 'nsamples', text: 'samples is empty: must be an integer >= 1' }]);
  });

  it('ties N:M rules to the field to change, in the panel’s terms', () => {
    const cfg = { ...STUDIO_DEFAULT, method: 'wanda' as const, structure: '2:4' as const, sparsity: 0.6 };
    expect(studioSettingProblems(cfg, {}, spec)).toEqual([
      { key: 'sparsity', text: 'N:M 2:4 prunes exactly 2/4 = 0.5 of the weights; set sparsity to 0.5 or set pattern to unstructured' },
    ]);
    const besa = studioSettingProblems({ ...STUDIO_DEFAULT, structure: '2:4' }, {}, spec);
    expect(besa).toHaveLength(1);
    expect(besa[0]).toMatchObject({ key: 'structure' });
    expect(besa[0].text).toMatch(/set pattern to unstructured, or pick the method/);
  });

  it('long drafts are cut in the message', () => {
    expect(draftProblem('seed', '1'.repeat(40))).toBe(`seed "${'1'.repeat(24)}…": must be an integer >= 0`);
  });
});

describe('config store drafts', () => {
  it('a draft is kept until its field gets a valid value, and other edits leave it alone', () => {
    const s = configStore.getState();
    s.replace(STUDIO_DEFAULT);
    s.setDraft('sparsity', '1.5');
    s.setDraft('besa.lambda', '-');
    s.set({ nsamples: 8 });
    expect(configStore.getState().drafts).toEqual({ sparsity: '1.5', 'besa.lambda': '-' });
    s.setSetting('sparsity', 0.4);
    s.setBesa({ lambda: 3 });
    expect(configStore.getState().drafts).toEqual({});
    s.setDraft('seed', 'x');
    s.replace(STUDIO_DEFAULT);
    expect(configStore.getState().drafts).toEqual({});
  });
});
