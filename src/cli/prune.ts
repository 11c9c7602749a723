// `npm run prune -- --model <dir|file> --method besa --sparsity 0.5 [...]` (see --help).
// Same engine as the studio (runPruneJob). Writes to --out: the pruned model as an HF folder
// (model.safetensors with the original tensor names, config.json, tokenizer files), report.json,
// report.csv, and checkpoint/ (per-block state for --resume; removed after a completed run).
// Ctrl-C stops after the current step; finished blocks stay in checkpoint/ and --resume continues.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DiskCheckpointStore } from './diskCheckpoint';
import {
  PRUNE_FLAGS,
  CliArgumentError,
  checkpointEveryFromArgs,
  progressFromArgs,
  exportFormatFromArgs,
  methodFromArgs,
  parseArgs,
  runConfigFromArgs,
  usage,
} from './args';
import {
  abortOnSigint,
  createNodeEngine,
  threadsFromArgs,
  engineRequestFromArgs,
  exitWithError,
  loadModelFromPath,
  readCorpora,
  stderrReporter,
  writeModelFolder,
} from './common';
import { methodOf } from '../prune/methods/registry';
import { runPruneJob } from '../prune/job';
import { llmCompressorRecipe, RecipeError } from '../prune/recipe';
import { allocationCsv, allocationTable, storageLine, type RunReport } from '../prune/report';
import { checkRunConfig } from '../prune/runConfigCheck';

/** The run's llm-compressor recipe, or why there is none (docs/exports.md §4). */
function recipeOrWhyNot(r: RunReport): string | RecipeError {
  try {
    return llmCompressorRecipe(r);
  } catch (e) {
    if (e instanceof RecipeError) return e;
    throw e;
  }
}

async function main(): Promise<number> {
  const a = parseArgs(process.argv.slice(2), PRUNE_FLAGS);
  if (a.help) {
    process.stdout.write(usage('prune', PRUNE_FLAGS) + '\n');
    return 0;
  }
  if (!a.model)
    throw new CliArgumentError(
      '--model is required, e.g. --model public/models/micro (a folder with config.json, model.safetensors, tokenizer.json)',
    );
  const method = methodFromArgs(a);
  const exportFormat = exportFormatFromArgs(a); // checked before the run, not after it
  const { model, source } = await loadModelFromPath(String(a.model), { tokenizerOptional: !!a['calib-ids'] });
  const cfg = runConfigFromArgs(a, method, model.spec.maxSeqLen);
  checkRunConfig(cfg, model.spec); // fail on bad options before any work
  const engineRequest = engineRequestFromArgs(a);
  const threads = threadsFromArgs(a);
  const checkpointEvery = checkpointEveryFromArgs(a); // checked before any work
  const dataDir = (a['data-dir'] as string | undefined) ?? 'public/data';
  const { calibration, evalData } = await readCorpora(a, dataDir, cfg, model);
  const nmTag = cfg.structure === 'unstructured' ? '' : `-${cfg.structure.replace(':', 'of')}`;
  const out = (a.out as string | undefined) ?? join('out', `${model.name.replace(/\.[^.]*$/, '')}-${method}-${cfg.sparsity}${nmTag}`);
  const report = stderrReporter('', progressFromArgs(a, !!process.stderr.isTTY));
  const { executor, forwardFactory, decision } = await createNodeEngine(model, engineRequest, threads);
  report({ type: 'log', level: 'info', message: `engine: ${decision.engine} (${decision.reason})` });
  const checkpoint = new DiskCheckpointStore(join(out, 'checkpoint'));
  const saved = a.resume ? null : await checkpoint.readState();
  const partial = a.resume ? null : await checkpoint.readPartial();
  if (saved || partial) {
    const inBlock = partial
      ? `, and block ${partial.block} stopped after step ${partial.progress.step}/${partial.progress.totalSteps}`
      : '';
    throw new CliArgumentError(
      `${checkpoint.dir} holds ${saved?.completed ?? 0}${saved ? `/${saved.nBlocks}` : ''} finished blocks of an interrupted run${inBlock}; add --resume to continue it, or delete that folder (or pick another --out) to start over`,
    );
  }
  const ac = abortOnSigint(() =>
    report({ type: 'log', level: 'info', message: 'Ctrl-C: stopping after the current step (press again to quit at once)…' }),
  );

  const res = await runPruneJob({
    model,
    config: cfg,
    calibration,
    evalData,
    executor,
    forwardFactory,
    onEvent: report,
    signal: ac.signal,
    checkpoint,
    checkpointEvery,
    resume: !!a.resume,
  });
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'report.json'), JSON.stringify(res.report, null, 2));
  await writeFile(join(out, 'report.csv'), allocationCsv(res.report));
  const recipe = recipeOrWhyNot(res.report);
  if (typeof recipe === 'string') await writeFile(join(out, 'recipe.yaml'), recipe);
  if (res.status === 'cancelled') {
    const done = res.pipeline.completedBlocks;
    const inBlock = await checkpoint.readPartial();
    const partial = inBlock ? `, and block ${inBlock.block} after step ${inBlock.progress.step}/${inBlock.progress.totalSteps}` : '';
    process.stderr.write(
      done > 0 || inBlock
        ? `\nstopped: ${done}/${model.spec.nLayers} blocks${partial} are saved in ${join(out, 'checkpoint')}; rerun the same command with --resume to continue.\n`
        : '\nstopped before the first block finished: nothing to resume; rerun the command to start again.\n',
    );
    return 130;
  }
  const files = await writeModelFolder(
    out,
    model,
    source,
    res.weights,
    {
      pruned_by: 'besa-studio',
      method: cfg.method,
      structure: cfg.structure,
      target_sparsity: String(cfg.sparsity),
      achieved_sparsity: res.report.achievedSparsity.toFixed(6),
      source_sha256: model.weightsSha256,
    },
    exportFormat,
  );
  await checkpoint.clear();
  const r = res.report;
  const lines = [
    '',
    `per-layer sparsity (zeros counted), ${cfg.method}${cfg.structure === 'unstructured' ? '' : ' ' + cfg.structure}, target ${cfg.sparsity}:`,
    allocationTable(r.allocation),
    `achieved sparsity over all pruned linears: ${r.achievedSparsity.toFixed(4)}`,
    ...methodOf(cfg.method).summaryLines(r.allocation, cfg),
    ...r.perplexity.dense.map((d) => {
      const p = r.perplexity.pruned.find((x) => x.dataset === d.dataset);
      return `perplexity ${d.dataset} (${d.windows} windows × ${d.seqlen}${d.truncated ? ', truncated' : ''}): dense ${d.ppl.toFixed(4)} → pruned ${p ? p.ppl.toFixed(4) : '--'}`;
    }),
    `wall time ${r.timing.wallSeconds.toFixed(1)} s (pruning ${r.timing.pruneSeconds.toFixed(1)} s, eval ${r.timing.evalSeconds.toFixed(1)} s) on ${r.device.adapter}`,
    `wrote ${[...Object.keys(files), 'report.json', 'report.csv', ...(typeof recipe === 'string' ? ['recipe.yaml'] : [])].join(', ')} to ${out}`,
    typeof recipe === 'string'
      ? 'recipe.yaml: the llm-compressor recipe of this run (docs/exports.md §4; npm run recipe -- --layers N for a deeper model)'
      : `no recipe.yaml: ${recipe.message}`,
    `model.safetensors: ${files['model.safetensors']} bytes (${exportFormat})`,
    storageLine(r.storage),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => exitWithError(err),
);
