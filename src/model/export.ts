// Export a (pruned) model as a Hugging Face folder: config.json + model.safetensors (the same tensor
// names and dtypes the checkpoint was loaded with: bf16 in, bf16 out) + the tokenizer files passed through unchanged.
// llama2.c-layout models are converted to rotate-half RoPE first, so transformers loads them as llama.

import { specToConfig } from './config';
import { convertRopeLayout, weightsToHf } from './hfweights';
import { writeSafetensors } from './safetensors';
import type { ModelSpec, StoredWeights } from './spec';
import { dtypeOf } from './weightArray';

const TORCH_DTYPE = { F32: 'float32', BF16: 'bfloat16', F16: 'float16' } as const;

export interface ExportOptions {
  /** Extra files copied verbatim (tokenizer.json, tokenizer_config.json, README.md...). */
  extraFiles?: Record<string, Uint8Array>;
  /** Strings stored in the safetensors __metadata__ (e.g. method, sparsity, source hash). */
  metadata?: Record<string, string>;
}

export function exportHfFiles(spec: ModelSpec, weights: StoredWeights, opts: ExportOptions = {}): Record<string, Uint8Array> {
  const { spec: s, weights: w } = convertRopeLayout(spec, weights, 'half');
  const enc = new TextEncoder();
  return {
    ...opts.extraFiles,
    'config.json': enc.encode(JSON.stringify(specToConfig(s, TORCH_DTYPE[dtypeOf(w.embed)]), null, 2)),
    'model.safetensors': writeSafetensors(weightsToHf(s, w), opts.metadata),
  };
}
