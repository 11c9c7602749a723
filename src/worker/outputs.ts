// What the page can ask of a finished run: one layer's mask as an image, generations (dense vs
// pruned, same prompt and seed) and the pruned model's files for download.
import { generate, lastRow, type NextTokenLogits } from '../eval/generate';
import { writeLlama2c } from '../model/llama2c';
import { exportHfFiles, type ExportFormat } from '../model/export';
import type { ModelSpec } from '../model/spec';
import type { ForwardLogits } from '../model/forward';
import type { LoadedModel } from '../model/loader';
import type { FileSource } from '../model/sources';
import { EmptyPromptError, RunNotFoundError } from './errors';
import { linearOf, type LinearName, type StoredWeights } from '../model/spec';
import { zeroFlags, type WeightArray } from '../model/weightArray';

type ForwardFactory = (spec: ModelSpec, weights: StoredWeights) => ForwardLogits;
/** Next-token logits with its own state (the GPU engine's KV-cache decoder), freed by dispose(). */
export type DecoderFactory = (spec: ModelSpec, weights: StoredWeights) => NextTokenLogits & { dispose(): void };
import { yieldToEventLoop } from '../prune/pipeline';
import type { JobResult } from './job';
import type { Generation, MaskImage, WorkerRequest } from './protocol';

/** Zero pattern of one linear: from the running job's committed blocks, else the last result, else dense. */
export function maskImage(
  model: LoadedModel,
  block: number,
  layer: LinearName,
  run: JobResult | undefined,
  live: Map<number, Record<string, Float32Array>> | null,
): MaskImage {
  if (!(block >= 0 && block < model.spec.nLayers))
    throw new RangeError(`block ${block} does not exist; the model has blocks 0…${model.spec.nLayers - 1}`);
  const lw = model.weights.blocks[block][layer];
  if (!lw) throw new RangeError(`block ${block} has no linear '${layer}' (this is a ${model.spec.family} model)`);
  let w: WeightArray = lw.w;
  let fromRun: string | null = null;
  const liveW = live?.get(block)?.[layer];
  if (liveW) {
    w = liveW;
    fromRun = 'running';
  } else if (run && block < run.completedBlocks) {
    w = linearOf(run.weights.blocks[block], layer).w;
    fromRun = run.runId;
  }
  const pruned = zeroFlags(w);
  return { block, layer, rows: lw.out, cols: lw.in, pruned, fromRun };
}

type GenReq = Extract<WorkerRequest, { type: 'generate' }>;

/**
 * With a decoder factory (GPU engine) each new token runs one row against a KV cache; past
 * maxSeqLen the window slides and the decoder re-prefills every token (see src/gpu/decoder.ts).
 * Without one, every token re-runs the full forward over the window (lastRow).
 */
async function generateText(
  model: LoadedModel,
  weights: StoredWeights,
  forwardFactory: ForwardFactory,
  req: GenReq,
  decoderFactory?: DecoderFactory,
): Promise<{ text: string; tokens: number }> {
  const prompt = model.tokenizer.encode(req.prompt);
  if (prompt.length === 0) throw new EmptyPromptError();
  const decoder = decoderFactory?.(model.spec, weights);
  const next = decoder ?? lastRow(forwardFactory(model.spec, weights), model.spec.vocabSize);
  try {
    const ids = await generate(
      async (x) => {
        await yieldToEventLoop();
        return next(x);
      },
      prompt,
      {
        maxNewTokens: req.maxNewTokens,
        temperature: req.temperature,
        topP: 0.95,
        seed: req.seed,
        contextLength: model.spec.maxSeqLen,
        eosId: model.tokenizer.eos,
      },
    );
    return { text: model.tokenizer.decode(ids), tokens: ids.length };
  } finally {
    decoder?.dispose(); // its caches are per generation
  }
}

/** Dense first, then each requested run, all with the same prompt, seed and sampling settings. */
export async function generateAll(
  model: LoadedModel,
  forwardFactory: ForwardFactory,
  req: GenReq,
  results: Map<string, JobResult>,
  decoderFactory?: DecoderFactory,
): Promise<Generation[]> {
  const out: Generation[] = [
    { label: 'dense', runId: null, ...(await generateText(model, model.weights, forwardFactory, req, decoderFactory)) },
  ];
  for (const id of req.runIds) {
    const r = results.get(id);
    if (!r) throw new RunNotFoundError(`run ${id} is not in this session any more (the model was reloaded); run it again`);
    out.push({ label: r.label, runId: id, ...(await generateText(model, r.weights, forwardFactory, req, decoderFactory)) });
  }
  return out;
}

/**
 * HF models: config.json + model.safetensors (the checkpoint's dtype, pruned zeros in place) + the original tokenizer
 * files. llama2.c models: the .bin in the same version + tokenizer.bin. Either way the studio's own
 * loader reads the result back. 'sparse-bitmask' always writes an HF folder (compressed-tensors, docs/exports.md §1),
 * with tokenizer.bin passed along for a llama2.c model.
 */
export async function exportModelFiles(
  model: LoadedModel,
  source: FileSource,
  run: JobResult,
  format: ExportFormat = 'dense',
): Promise<Record<string, Uint8Array>> {
  const listed = await source.list();
  const extra: Record<string, Uint8Array> = {};
  if (model.format === 'llama2c' && format === 'dense') {
    extra['tokenizer.bin'] = await source.read('tokenizer.bin');
    return { ...extra, 'model.bin': writeLlama2c(model.spec, run.weights) };
  }
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'tokenizer.bin']) if (listed.includes(f)) extra[f] = await source.read(f);
  const meta = {
    'besa-studio.run': run.runId,
    'besa-studio.method': run.report.method.name,
    'besa-studio.structure': run.report.method.structure,
    'besa-studio.target-sparsity': String(run.report.method.targetSparsity),
    'besa-studio.achieved-sparsity': run.report.achievedSparsity.toFixed(6),
    'besa-studio.source-sha256': model.weightsSha256,
  };
  return exportHfFiles(model.spec, run.weights, { extraFiles: extra, metadata: meta, format });
}
