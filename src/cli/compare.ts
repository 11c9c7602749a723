// `npm run compare -- --model <dir> --sparsity 0.5 [--methods magnitude,wanda,sparsegpt,besa --nm 2:4]`:
// every method through the same pipeline with the same calibration data and seed; prints one table
// and writes comparison.json + comparison.csv (and each method's report) to --out.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COMPARE_FLAGS, CliArgumentError, methodsFromArgs, parseArgs, progressFromArgs, runConfigFromArgs, usage } from './args';
import {
  abortOnSigint,
  createNodeEngine,
  threadsFromArgs,
  engineRequestFromArgs,
  exitWithError,
  loadModelFromPath,
  readCorpora,
  stderrReporter,
} from './common';
import { comparisonCsv, comparisonTable, runComparison } from '../prune/compareJob';
import { methodOf, structureFor } from '../prune/methods/registry';
import { checkRunConfig } from '../prune/runConfigCheck';

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2), COMPARE_FLAGS);
  if (a.help) {
    process.stdout.write(usage('compare', COMPARE_FLAGS) + '\n');
    return 0;
  }
  if (!a.model) throw new CliArgumentError('--model is required, e.g. --model public/models/micro');
  const methods = methodsFromArgs(a);
  const { model } = await loadModelFromPath(String(a.model), { tokenizerOptional: !!a['calib-ids'] });
  const base = runConfigFromArgs(a, methods[0], model.spec.maxSeqLen);
  for (const m of methods) checkRunConfig({ ...base, method: m, structure: structureFor(m, base.structure) }, model.spec);
  const engineRequest = engineRequestFromArgs(a);
  const threads = threadsFromArgs(a);
  const dataDir = (a['data-dir'] as string | undefined) ?? 'public/data';
  const { calibration, evalData } = await readCorpora(a, dataDir, base, model);
  const out =
    (a.out as string | undefined) ??
    join(
      'out',
      `${model.name}-compare-${base.sparsity}${base.structure === 'unstructured' ? '' : '-' + base.structure.replace(':', 'of')}`,
    );
  const progress = progressFromArgs(a, !!process.stderr.isTTY);
  const warn = stderrReporter('', progress);
  const engine = await createNodeEngine(model, engineRequest, threads);
  warn({ type: 'log', level: 'info', message: `engine: ${engine.decision.engine} (${engine.decision.reason})` });
  const reporters = new Map<string, ReturnType<typeof stderrReporter>>();
  const ac = abortOnSigint(() => warn({ type: 'log', level: 'info', message: 'Ctrl-C: stopping after the current step…' }));
  for (const m of methods)
    if (structureFor(m, base.structure) !== base.structure)
      warn({
        type: 'log',
        level: 'warn',
        message: `${methodOf(m).label} has no N:M mode; its row is unstructured at sparsity ${base.sparsity}`,
      });
  const res = await runComparison({
    model,
    methods,
    base,
    calibration,
    evalData,
    executorFactory: engine.newExecutor,
    forwardFactory: engine.forwardFactory,
    onEvent: (m, e) => {
      if (!reporters.has(m)) reporters.set(m, stderrReporter(`[${m}] `, progress));
      reporters.get(m)!(e);
    },
    signal: ac.signal,
  });
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'comparison.json'), JSON.stringify(res, null, 2));
  await writeFile(join(out, 'comparison.csv'), comparisonCsv(res));
  process.stdout.write('\n' + comparisonTable(res) + `\nwrote comparison.json, comparison.csv to ${out}\n`);
  return ac.signal.aborted ? 130 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => exitWithError(err),
);
