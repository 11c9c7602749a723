// Export a (pruned) model as a Hugging Face folder: config.json + model.safetensors (the same tensor
// names and dtypes the checkpoint was loaded with: bf16 in, bf16 out) + the tokenizer files passed through unchanged.
// llama2.c-layout models are converted to rotate-half RoPE first, so transformers loads them as llama.

import { bitmaskCompress, COMPRESSED_TENSORS_VERSION } from './compressed';
import { specToConfig } from './config';
import { convertRopeLayout, weightsToHf } from './hfweights';
import { writeSafetensors, type TensorToWrite } from './safetensors';
import type { ModelSpec, StoredWeights } from './spec';
import { countZeros, dtypeOf } from './weightArray';

const TORCH_DTYPE = { F32: 'float32', BF16: 'bfloat16', F16: 'float16' } as const;

export interface ExportOptions {
  /** Extra files copied verbatim (tokenizer.json, tokenizer_config.json, README.md...). */
  extraFiles?: Record<string, Uint8Array>;
  /** Strings stored in the safetensors __metadata__ (e.g. method, sparsity, source hash). */
  metadata?: Record<string, string>;
  /**
   * 'dense' (default): every weight as a plain tensor. 'sparse-bitmask': the decoder linears in compressed-tensors'
   * sparse-bitmask format, which vLLM loads as sparse (src/model/compressed.ts, docs/exports.md §1).
   */
  format?: 'dense' | 'sparse-bitmask';
}

/** A decoder linear's weight (what llm-compressor targets as "Linear"; lm_head is ignored, as it ignores it). */
const DECODER_LINEAR = /^model\.layers\.\d+\.(self_attn|mlp)\.\w+_proj\.weight$/;

/** The tensors with every decoder linear replaced by its sparse-bitmask group, and the config block for them. */
function sparseBitmask(tensors: Map<string, TensorToWrite>): { tensors: Map<string, TensorToWrite>; config: Record<string, unknown> } {
  const out = new Map<string, TensorToWrite>();
  let zeros = 0;
  let total = 0;
  for (const [name, t] of tensors) {
    const d = t.data;
    if (!('bytes' in d)) {
      zeros += countZeros(d);
      total += d.length;
    }
    if (DECODER_LINEAR.test(name) && !('bytes' in d) && t.shape.length === 2)
      for (const [k, v] of bitmaskCompress(name.slice(0, -'.weight'.length), d, t.shape[0], t.shape[1])) out.set(k, v);
    else out.set(name, t);
  }
  const config = {
    quant_method: 'compressed-tensors',
    version: COMPRESSED_TENSORS_VERSION,
    // BitmaskConfig.model_dump(): its fields, RegistryMixin's registry_requires_subclass included
    sparsity_config: {
      format: 'sparse-bitmask',
      targets: ['Linear'],
      ignore: ['lm_head'],
      global_sparsity: total ? zeros / total : 0, // llm-compressor: zero parameters / all parameters
      sparsity_structure: 'unstructured',
      registry_requires_subclass: false,
    },
    transform_config: {},
  };
  return { tensors: out, config };
}

export function exportHfFiles(spec: ModelSpec, weights: StoredWeights, opts: ExportOptions = {}): Record<string, Uint8Array> {
  const { spec: s, weights: w } = convertRopeLayout(spec, weights, 'half');
  const enc = new TextEncoder();
  const config = specToConfig(s, TORCH_DTYPE[dtypeOf(w.embed)]);
  let tensors = weightsToHf(s, w);
  if (opts.format === 'sparse-bitmask') {
    const sb = sparseBitmask(tensors);
    tensors = sb.tensors;
    config.quantization_config = sb.config;
  }
  return {
    ...opts.extraFiles,
    'config.json': enc.encode(JSON.stringify(config, null, 2)),
    'model.safetensors': writeSafetensors(tensors, opts.metadata),
  };
}
