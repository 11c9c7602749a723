// The recipe from the CLI (docs/exports.md §4): `npm run prune` writes recipe.yaml beside report.json, and
// `npm run recipe` makes one from a report.json for a deeper model; bad input is a named error, exit code 2.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LINEAR_NAMES } from '../../../src/model/spec';
import type { RunReport } from '../../../src/prune/report';
import { MICRO_DIR, ROOT } from './engineFixture';

const tmp = mkdtempSync(join(tmpdir(), 'besa-recipe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(join(ROOT, 'node_modules/.bin/tsx'), [script, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

type Mods = Record<string, { sparsity: number[]; targets: string[] }>;
const modifiers = (yaml: string) =>
  (parse(yaml, { version: '1.1' }) as { sparsity_stage: { sparsity_modifiers: Mods } }).sparsity_stage.sparsity_modifiers;

describe('recipes from the CLI', () => {
  it('npm run prune writes recipe.yaml; npm run recipe resamples it for a deeper model', async () => {
    const out = join(tmp, 'besa');
    const p = await run('src/cli/prune.ts', [
      '--model',
      MICRO_DIR,
      '--method',
      'besa',
      '--samples',
      '4',
      '--seqlen',
      '32',
      '--eval',
      'none',
      '--engine',
      'wasm',
      '--out',
      out,
    ]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/recipe\.yaml: the llm-compressor recipe of this run/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    const own = modifiers(readFileSync(join(out, 'recipe.yaml'), 'utf8')).WandaPruningModifier;
    expect(own.sparsity).toEqual(report.allocation.flatMap((b) => LINEAR_NAMES.map((n) => Math.round(b.layerSparsity[n] * 1e4) / 1e4)));

    const file = join(tmp, 'deep', 'recipe.yaml');
    const r = await run('src/cli/recipe.ts', ['--report', join(out, 'report.json'), '--layers', '6', '--base', 'sparsegpt', '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    const deep = modifiers(readFileSync(file, 'utf8')).SparseGPTModifier;
    expect(deep.targets).toHaveLength(42);
    expect(deep.sparsity).toHaveLength(42);
    const toStdout = await run('src/cli/recipe.ts', ['--report', join(out, 'report.json')]);
    expect(modifiers(toStdout.stdout).WandaPruningModifier.sparsity).toEqual(own.sparsity);
  });

  it('bad input: named errors with the fix, exit code 2, nothing written', async () => {
    writeFileSync(join(tmp, 'not-a-report.json'), JSON.stringify({ hello: 1 }));
    const cases: [string[], RegExp][] = [
      [[], /--report is required/],
      [['--report', join(tmp, 'not-a-report.json')], /is not a BESA Studio run report/],
      [['--report', join(tmp, 'missing.json')], /--report .*missing\.json: ENOENT/],
      [['--report', join(tmp, 'not-a-report.json'), '--base', 'magnitude'], /--base magnitude: use wanda or sparsegpt/],
    ];
    for (const [args, msg] of cases) {
      const r = await run('src/cli/recipe.ts', [...args, '--out', join(tmp, 'bad.yaml')]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    expect(existsSync(join(tmp, 'bad.yaml'))).toBe(false);
  });
});
