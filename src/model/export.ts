// Export a (pruned) model as a Hugging Face folder: config.json + model.safetensors (the same tensor
// names and dtypes the checkpoint was loaded with: bf16 in, bf16 out) + the tokenizer files passed through unchanged.
// llama2.c-layout models are converted to rotate-half RoPE first, so transformers loads them as llama.

import {
  bitmask24Compress,
  bitmask24Layout,
  bitmaskCompress,
  bitmaskLayout,
  COMPRESSED_TENSORS_VERSION,
  first24Violation,
} from './compressed';
import { ModelExportError } from './errors';
import { specToConfig } from './config';
import { convertRopeLayout, weightsToHf } from './hfweights';
import { isRawTensor, safetensorsSize, writeSafetensors, type TensorLayout, type TensorToWrite } from './safetensors';
import type { ModelSpec, StoredWeights } from './spec';
import { countZeros, dtypeOf, valueBytesOf, type WeightArray } from './weightArray';

/** How the pruned linears are stored: plain, or in one of compressed-tensors' sparse formats (docs/exports.md). */
export const EXPORT_FORMATS = ['dense', 'sparse-bitmask', 'sparse-24-bitmask'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
type SparseFormat = Exclude<ExportFormat, 'dense'>;

const TORCH_DTYPE = { F32: 'float32', BF16: 'bfloat16', F16: 'float16' } as const;

export interface ExportOptions {
  /** Extra files copied verbatim (tokenizer.json, tokenizer_config.json, README.md...). */
  extraFiles?: Record<string, Uint8Array>;
  /** Strings stored in the safetensors __metadata__ (e.g. method, sparsity, source hash). */
  metadata?: Record<string, string>;
  /**
   * 'dense' (default): every weight as a plain tensor. 'sparse-bitmask' / 'sparse-24-bitmask' (2:4 models only):
   * the decoder linears in compressed-tensors' sparse formats, which vLLM loads as sparse (src/model/compressed.ts,
   * docs/exports.md §1–2).
   */
  format?: ExportFormat;
}

/** A decoder linear's weight (what llm-compressor targets as "Linear"; lm_head is ignored, as it ignores it). */
const DECODER_LINEAR = /^model\.layers\.\d+\.(self_attn|mlp)\.\w+_proj\.weight$/;

const isDecoderLinear = (name: string, t: TensorToWrite) => DECODER_LINEAR.test(name) && !isRawTensor(t.data) && t.shape.length === 2;

/** Zeros over all float parameters: llm-compressor's global_sparsity (informational in the config). */
function globalSparsity(tensors: Map<string, TensorToWrite>): number {
  let zeros = 0;
  let total = 0;
  for (const t of tensors.values())
    if (!isRawTensor(t.data)) {
      zeros += countZeros(t.data);
      total += t.data.length;
    }
  return total ? zeros / total : 0;
}

/** config.json's quantization_config for a sparse export: the fields the format's config class dumps. */
function sparsityConfig(format: SparseFormat, globalSparsity: number): Record<string, unknown> {
  return {
    quant_method: 'compressed-tensors',
    version: COMPRESSED_TENSORS_VERSION,
    // BitmaskConfig / Sparse24BitMaskConfig.model_dump(): their fields, RegistryMixin's registry_requires_subclass included
    // (in their order; tests/fixtures/compressed/sparsity_config.json is what the classes themselves dump)
    sparsity_config: {
      registry_requires_subclass: false,
      format,
      targets: ['Linear'],
      ignore: ['lm_head'],
      global_sparsity: globalSparsity, // llm-compressor: zero parameters / all parameters
      sparsity_structure: format === 'sparse-24-bitmask' ? '2:4' : 'unstructured',
    },
    transform_config: {},
  };
}

/** The tensors with every decoder linear replaced by its compressed group. */
function compressLinears(tensors: Map<string, TensorToWrite>, format: SparseFormat): Map<string, TensorToWrite> {
  const compress = format === 'sparse-24-bitmask' ? bitmask24Compress : bitmaskCompress;
  const out = new Map<string, TensorToWrite>();
  for (const [name, t] of tensors)
    if (isDecoderLinear(name, t))
      for (const [k, v] of compress(name.slice(0, -'.weight'.length), t.data as WeightArray, t.shape[0], t.shape[1])) out.set(k, v);
    else out.set(name, t);
  return out;
}

/**
 * model.safetensors bytes of each format, without building the files. null: the format does not apply (not 2:4
 * sparse; or a GPT-2 model, whose Conv1D layers compressed-tensors does not compress, see sparseFormatProblem).
 */
export type StoredBytes = { dense: number; 'sparse-bitmask': number | null; 'sparse-24-bitmask': number | null };

/**
 * Why a model cannot be written in compressed-tensors' sparse formats, or null. They target nn.Linear modules
 * (targets: ['Linear']); GPT-2's layers are HF Conv1D, which compressed-tensors leaves dense, so vLLM would never
 * see them as sparse (docs/gpt2.md §1).
 */
export function sparseFormatProblem(spec: ModelSpec): string | null {
  return spec.family === 'gpt2'
    ? "GPT-2's layers are HF Conv1D modules, which compressed-tensors' sparse formats do not compress (they target nn.Linear); export it dense"
    : null;
}

/**
 * The exact size model.safetensors would have in each format for these weights, with `metadata` in its header
 * (issue #16: dense vs compressed bytes in the studio, the CLI and the report). One pass counting zeros per linear.
 */
const layoutOf = (d: WeightArray, shape: readonly number[]): TensorLayout => ({ dtype: dtypeOf(d), shape, bytes: valueBytesOf(d) });

export function storedBytes(spec: ModelSpec, weights: StoredWeights, metadata: Record<string, string> = {}): StoredBytes {
  if (sparseFormatProblem(spec)) {
    const dense = new Map([...weightsToHf(spec, weights)].map(([k, t]) => [k, layoutOf(t.data as WeightArray, t.shape)]));
    return { dense: safetensorsSize(dense, metadata), 'sparse-bitmask': null, 'sparse-24-bitmask': null };
  }
  const tensors = weightsToHf({ ...spec, ropeLayout: 'half' }, weights); // a RoPE row permutation changes no size
  const dense = new Map<string, TensorLayout>();
  const bitmask = new Map<string, TensorLayout>();
  let b24: Map<string, TensorLayout> | null = new Map<string, TensorLayout>();
  for (const [name, t] of tensors) {
    const d = t.data as WeightArray;
    const plain = layoutOf(d, t.shape);
    dense.set(name, plain);
    if (!isDecoderLinear(name, t)) {
      bitmask.set(name, plain);
      b24?.set(name, plain);
      continue;
    }
    const [rows, cols] = t.shape;
    const prefix = name.slice(0, -'.weight'.length);
    for (const [k, v] of bitmaskLayout(prefix, rows, cols, d.length - countZeros(d), dtypeOf(d))) bitmask.set(k, v);
    if (b24 && first24Violation(d, rows, cols)) b24 = null;
    if (b24) for (const [k, v] of bitmask24Layout(prefix, rows, cols, dtypeOf(d))) b24.set(k, v);
  }
  return {
    dense: safetensorsSize(dense, metadata),
    'sparse-bitmask': safetensorsSize(bitmask, metadata),
    'sparse-24-bitmask': b24 && safetensorsSize(b24, metadata),
  };
}

export function exportHfFiles(spec: ModelSpec, weights: StoredWeights, opts: ExportOptions = {}): Record<string, Uint8Array> {
  const { spec: s, weights: w } = convertRopeLayout(spec, weights, 'half');
  const enc = new TextEncoder();
  const config = specToConfig(s, TORCH_DTYPE[dtypeOf(w.embed)]);
  let tensors = weightsToHf(s, w);
  if (opts.format && opts.format !== 'dense') {
    const problem = sparseFormatProblem(s);
    if (problem) throw new ModelExportError(`export ${opts.format}`, problem);
    config.quantization_config = sparsityConfig(opts.format, globalSparsity(tensors));
    tensors = compressLinears(tensors, opts.format);
  }
  return {
    ...opts.extraFiles,
    'config.json': enc.encode(JSON.stringify(config, null, 2)),
    'model.safetensors': writeSafetensors(tensors, opts.metadata),
  };
}
