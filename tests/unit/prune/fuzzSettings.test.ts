// Fuzzing the settings surface (docs/reliability.md): random URL hashes through the studio's parser
// and random CLI argument lists through the CLI's whole settings path. A hash never throws: invalid
// entries are ignored by name, and what it yields round-trips through formatHash. A CLI argument list
// either gives a checked RunConfig or fails with one of the named errors that list what to change.
// Seeds are fixed, so a failing case is reproducible from its index.
import { describe, expect, it } from 'vitest';
import {
  CliArgumentError,
  COMPARE_FLAGS,
  methodFromArgs,
  methodsFromArgs,
  parseArgs,
  PRUNE_FLAGS,
  runConfigFromArgs,
} from '../../../src/cli/args';
import { engineRequestFromArgs, threadsFromArgs } from '../../../src/cli/common';
import { Rng } from '../../../src/core/rng';
import { CONFIG_FIELDS } from '../../../src/prune/configFields';
import { UnknownSettingError } from '../../../src/prune/configSchema';
import { checkRunConfig, runConfigProblems, RunConfigError } from '../../../src/prune/runConfigCheck';
import { formatHash, parseHash } from '../../../src/store/configStore';
import { tinyModelSpec } from '../../support/specs';

export const HASH_CASES = 5000;
export const CLI_CASES = 5000;

const VALUES = [
  '',
  '0',
  '1',
  '-1',
  '0.5',
  '1.5',
  '2:4',
  '4:8',
  '3:7',
  'NaN',
  'Infinity',
  '1e309',
  '-0',
  '007',
  '0x10',
  ' 3',
  'besa',
  'wanda',
  'sparsegpt',
  'magnitude',
  'adam',
  'prodigy',
  'row',
  'layer',
  'true',
  'false',
  'maybe',
  'none',
  'sotu-eval,wikitext2-test',
  ',,',
  'a b',
  '%',
  '%zz',
  '../x',
  '😀',
  '\u0000',
  'x'.repeat(300),
  '9007199254740993',
  'auto',
  'webgpu',
  'wasm',
  'cpu',
  'tpu',
];

const pick = <T>(rng: Rng, a: readonly T[]): T => a[rng.int(a.length)];
function randomText(rng: Rng): string {
  return Array.from({ length: rng.int(12) }, () => String.fromCharCode(rng.next() < 0.8 ? 32 + rng.int(95) : rng.int(0x3000))).join('');
}
const value = (rng: Rng) => (rng.next() < 0.8 ? pick(rng, VALUES) : randomText(rng));

const HASH_KEYS = [...CONFIG_FIELDS.map((f) => f.hash), 'model', 'engine', 'bogus'];
function randomHash(rng: Rng): string {
  if (rng.next() < 0.1) return '#' + randomText(rng);
  const parts = Array.from({ length: rng.int(10) }, () => {
    const k = pick(rng, HASH_KEYS);
    const v = value(rng);
    return rng.next() < 0.5 ? `${k}=${encodeURIComponent(v)}` : `${k}=${v}`;
  });
  return '#' + parts.join(rng.next() < 0.9 ? '&' : '&&');
}

const CLI_FLAGS = [...new Set([...Object.keys(PRUNE_FLAGS), ...Object.keys(COMPARE_FLAGS)])].filter((f) => f !== 'help');
function randomArgv(rng: Rng): string[] {
  const argv: string[] = [];
  for (let n = rng.int(8); n > 0; n--) {
    const r = rng.next();
    if (r < 0.05) argv.push(randomText(rng));
    else if (r < 0.1) argv.push(`--${pick(rng, CLI_FLAGS)}=${value(rng)}`);
    else if (r < 0.13) argv.push('--' + randomText(rng));
    else {
      argv.push(`--${pick(rng, CLI_FLAGS)}`);
      if (rng.next() < 0.85) argv.push(value(rng));
    }
  }
  return argv;
}

const NAMED = [CliArgumentError, RunConfigError, UnknownSettingError];
const spec = tinyModelSpec();

describe('fuzz: settings from URL hashes and CLI arguments', () => {
  it(`${HASH_CASES} random URL hashes: never a throw, invalid keys named, the result round-trips`, () => {
    const rng = new Rng(11);
    let ignoredSome = 0;
    for (let i = 0; i < HASH_CASES; i++) {
      const h = randomHash(rng);
      const r = parseHash(h);
      expect(Array.isArray(runConfigProblems(r.config, spec).problems), `case ${i}: ${h}`).toBe(true);
      const again = parseHash(formatHash(r.config, r.modelName, r.engine));
      expect(again.config, `case ${i}: ${h}`).toEqual(r.config);
      expect(again.ignored, `case ${i}: ${h}`).toEqual([]);
      if (r.ignored.length) ignoredSome++;
    }
    expect(ignoredSome).toBeGreaterThan(HASH_CASES / 4); // the mutations do reach the validation
  });

  it(`${CLI_CASES} random argument lists: a checked config or a named error, each case fast`, () => {
    const rng = new Rng(12);
    const outcome = { ok: 0, named: 0 };
    let slowest = 0;
    for (let i = 0; i < CLI_CASES; i++) {
      const argv = randomArgv(rng);
      const table = rng.next() < 0.5 ? PRUNE_FLAGS : COMPARE_FLAGS;
      const t0 = performance.now();
      try {
        const a = parseArgs(argv, table);
        const methods = table === COMPARE_FLAGS ? methodsFromArgs(a) : [methodFromArgs(a)];
        for (const m of methods) checkRunConfig(runConfigFromArgs(a, m, spec.maxSeqLen), spec);
        engineRequestFromArgs(a);
        threadsFromArgs(a);
        outcome.ok++;
      } catch (e) {
        if (!NAMED.some((E) => e instanceof E))
          throw new Error(`case ${i} (${JSON.stringify(argv)}): ${(e as Error)?.name} escaped: ${(e as Error)?.message}`);
        expect((e as Error).message.length, `case ${i}`).toBeGreaterThan(10);
        outcome.named++;
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    expect(outcome.named).toBeGreaterThan(CLI_CASES / 2);
    expect(outcome.ok).toBeGreaterThan(50);
    expect(slowest).toBeLessThan(1000); // no case hangs (a generous bound: typical cases take microseconds)
  });
});
