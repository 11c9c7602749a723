// `npm run recipe`: an llm-compressor recipe from a finished run's report.json (docs/exports.md §4), for the
// run's own model or, with --layers, a deeper one of the same family (BESA's profile resampled over depth).
//   npm run recipe -- --report out/micro-besa-0.5/report.json --layers 30 --base sparsegpt --out recipe.yaml
import { mkdir, readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { REPORT_SCHEMA, type RunReport } from '../prune/report';
import { llmCompressorRecipe, RecipeError } from '../prune/recipe';
import { CliArgumentError, parseArgs, usage, type FlagTable } from './args';
import { writeFilesAtomically } from './atomicWrite';
import { exitWithError } from './common';
import { dirname, basename } from 'node:path';

export const RECIPE_FLAGS: FlagTable = {
  report: { kind: 'string', help: 'report.json of a finished run (npm run prune writes one; so does the studio)' },
  layers: { kind: 'int', help: 'decoder layers of the model the recipe is for (default: the run model’s)' },
  base: { kind: 'string', help: 'BESA runs: wanda (default) or sparsegpt prunes to the learned per-linear sparsities' },
  out: { kind: 'string', help: 'write the YAML to this file (default: standard output)' },
  help: { kind: 'bool', help: 'show this help' },
};

async function readReport(path: string): Promise<RunReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CliArgumentError(`--report ${path}: ${(e as Error).message}`);
  }
  let r: RunReport;
  try {
    r = JSON.parse(text) as RunReport;
  } catch {
    throw new CliArgumentError(`--report ${path} is not JSON; pass the report.json a run wrote`);
  }
  if (r?.schema !== REPORT_SCHEMA) throw new CliArgumentError(`--report ${path} is not a BESA Studio run report (schema ${REPORT_SCHEMA})`);
  return r;
}

export async function main(argv: string[]): Promise<number> {
  const a = parseArgs(argv, RECIPE_FLAGS);
  if (a.help) {
    process.stdout.write(usage('recipe', RECIPE_FLAGS) + '\n');
    return 0;
  }
  if (!a.report) throw new CliArgumentError('--report is required, e.g. --report out/micro-besa-0.5/report.json');
  const base = a.base ?? 'wanda';
  if (base !== 'wanda' && base !== 'sparsegpt') throw new CliArgumentError(`--base ${String(base)}: use wanda or sparsegpt`);
  const report = await readReport(String(a.report));
  let yaml: string;
  try {
    yaml = llmCompressorRecipe(report, { layers: a.layers as number | undefined, besaBase: base });
  } catch (e) {
    if (e instanceof RecipeError) throw new CliArgumentError(e.message);
    throw e;
  }
  if (!a.out) process.stdout.write(yaml);
  else {
    const out = String(a.out);
    await mkdir(dirname(out), { recursive: true });
    await writeFilesAtomically(dirname(out), { [basename(out)]: new TextEncoder().encode(yaml) });
    process.stderr.write(`wrote ${out}\n`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  main(process.argv.slice(2)).then((code) => process.exit(code), exitWithError);
