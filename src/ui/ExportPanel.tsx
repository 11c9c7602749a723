import { useStore } from 'zustand';
import type { ExportFormat } from '../model/export';
import type { RunReport } from '../prune/report';
import { allocationCsv, llmCompressorRecipe, RecipeError } from '../store/engineValues';
import { exportModel, openReportFile } from '../store/actions';
import { runStore } from '../store/runStore';
import { uiStore } from '../store/uiStore';
import { download, fmtBytes, zipFolder } from './format';

/** `<model>-<method>[-2of4]-<sparsity>-<date>`: the name every download of a run starts with. */
export function runFileBase(r: RunReport): string {
  const model = r.model.name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'model';
  const nm = r.method.structure === 'unstructured' ? '' : '-' + r.method.structure.replace(':', 'of');
  return `${model}-${r.method.name}${nm}-${r.method.targetSparsity}-${r.createdAt.slice(0, 10)}`;
}

/** The run's recipe YAML, or why it has none. */
function recipeOrWhyNot(report: RunReport | null): { yaml: string } | { why: string } {
  if (!report) return { why: 'Finish a run first.' };
  try {
    return { yaml: llmCompressorRecipe(report) };
  } catch (e) {
    if (e instanceof RecipeError) return { why: `No recipe: ${e.message}` };
    throw e;
  }
}

/** Downloads: the pruned model (HF folder files or llama2.c .bin), the run report as JSON and CSV. */
export function ExportPanel() {
  const report = useStore(runStore, (s) => s.report);
  const busy = useStore(uiStore, (s) => s.busy);
  const reportFile = useStore(runStore, (s) => s.reportFile);
  const noWeights = reportFile !== null; // a report opened from a file: its weights are not here
  const storage = report?.storage; // absent in reports written before issue #16
  const twoFour = storage?.['sparse-24-bitmask'] != null;
  // null for a model whose layers compressed-tensors does not compress (GPT-2's Conv1D; src/model/export.ts)
  const sparseOk = storage?.['sparse-bitmask'] !== null;
  const notLinear = "GPT-2's layers are HF Conv1D modules, which compressed-tensors' sparse formats do not compress: export it dense.";
  const recipe = recipeOrWhyNot(report);
  const base = report ? runFileBase(report) : '';
  // nothing to download while no block is pruned (a run cancelled in its first block) or the weights are not here
  const noModel = !report || busy !== null || noWeights || report.completedBlocks === 0;
  const saveModel = async (format: ExportFormat, suffix: string) => {
    const files = await exportModel(format);
    if (files) download(`${base}${suffix}.zip`, zipFolder(`${base}${suffix}`, files), 'application/zip');
  };
  return (
    <section className="panel export" data-testid="export-panel">
      <h2>Share &amp; export</h2>
      <p className="muted small">The page URL holds every setting and the seed: copy it to share a reproducible run.</p>
      <div className="buttons">
        <button
          type="button"
          data-testid="export-model"
          disabled={noModel}
          title="Download the pruned model as one .zip of its folder: config.json + model.safetensors (the checkpoint's dtype, pruned weights are exact zeros) + tokenizer files. Unzip it to load it back here or in transformers."
          onClick={() => saveModel('dense', '')}
        >
          {busy === 'exporting' ? 'Exporting…' : 'Pruned model'}
        </button>
        <button
          type="button"
          data-testid="export-sparse"
          disabled={noModel || !sparseOk}
          title={
            sparseOk
              ? "Download the pruned model (one .zip) with its linears in compressed-tensors' sparse-bitmask format (non-zero values + a bitmask), which vLLM and compressed-tensors 0.14 load as sparse: about half the bytes of the dense file at 50 %. Loads back here too."
              : notLinear
          }
          onClick={() => saveModel('sparse-bitmask', '-sparse-bitmask')}
        >
          Sparse model (vLLM)
        </button>
        <button
          type="button"
          data-testid="export-sparse24"
          disabled={noModel || !twoFour}
          title={
            twoFour
              ? "Download the 2:4-pruned model in compressed-tensors' sparse-24-bitmask format (2 values of every 4 + a bitmask), the layout vLLM's 2:4 sparse kernels read."
              : sparseOk
                ? 'Needs a 2:4 run: pick pattern 2:4 (Wanda, SparseGPT or magnitude) to export this format.'
                : notLinear
          }
          onClick={() => saveModel('sparse-24-bitmask', '-sparse-24-bitmask')}
        >
          2:4 sparse model (vLLM)
        </button>
        <button
          type="button"
          data-testid="export-json"
          disabled={!report}
          title="The run report: model hash, data, seed, all settings, per-layer allocation, perplexities, timing, device."
          onClick={() => report && download(`${base}.report.json`, JSON.stringify(report, null, 2), 'application/json')}
        >
          Report JSON
        </button>
        <button
          type="button"
          data-testid="export-csv"
          disabled={!report}
          title="One row per block and layer: shape, zeros, sparsity and (BESA) expected sparsity."
          onClick={() => report && download(`${base}.allocation.csv`, allocationCsv(report), 'text/csv')}
        >
          Allocation CSV
        </button>
        <button
          type="button"
          data-testid="export-recipe"
          disabled={!('yaml' in recipe)}
          title={
            'yaml' in recipe
              ? "An llm-compressor recipe (YAML) that applies this run's method to a larger model on a GPU machine: BESA's learned per-layer sparsities go to Wanda. See docs/exports.md §4; npm run recipe -- --layers N resamples it for a deeper model."
              : recipe.why
          }
          onClick={() => 'yaml' in recipe && download(`${base}.recipe.yaml`, recipe.yaml, 'application/yaml')}
        >
          llm-compressor recipe
        </button>
        <label
          className="filebtn"
          title="Open a .report.json (from this studio or npm run prune) to see that finished run's charts, allocation and perplexity here."
        >
          Open report…
          <input
            data-testid="open-report"
            type="file"
            accept=".json,application/json"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              e.target.value = ''; // the same file can be opened again
              if (f) openReportFile(f.name, new Uint8Array(await f.arrayBuffer()));
            }}
          />
        </label>
      </div>
      {report && (
        <p className="small" data-testid="report-summary">
          {reportFile && `${reportFile}: `}
          {report.status} · {report.completedBlocks}/{report.model.nLayers} blocks · achieved sparsity{' '}
          {(report.achievedSparsity * 100).toFixed(2)}% · {report.timing.wallSeconds.toFixed(1)} s on {report.device.executor}
        </p>
      )}
      {storage && (
        <p className="small" data-testid="stored-bytes">
          model.safetensors: dense {fmtBytes(storage.dense)}
          {storage['sparse-bitmask'] !== null &&
            ` · sparse-bitmask ${fmtBytes(storage['sparse-bitmask'])} (${(storage['sparse-bitmask'] / storage.dense).toFixed(2)}×)`}
          {twoFour &&
            ` · sparse-24-bitmask ${fmtBytes(storage['sparse-24-bitmask']!)} (${(storage['sparse-24-bitmask']! / storage.dense).toFixed(2)}×)`}
        </p>
      )}
    </section>
  );
}
