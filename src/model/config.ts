// HF config.json → ModelSpec for the LLaMA family (llama incl. TinyLlama/SmolLM, mistral, qwen2).
// Defaults follow transformers' LlamaConfig / MistralConfig / Qwen2Config: num_key_value_heads
// defaults to num_attention_heads, head_dim to hidden_size / num_attention_heads.

import { ConfigError, CorruptFileError, ModelExportError, UnsupportedModelTypeError } from './errors';
import { gpt2ConfigToSpec, gpt2SpecToConfig, isNanoGptConfig } from './gpt2Config';
import type { ModelFamily, ModelSpec } from './spec';

export const SUPPORTED_MODEL_TYPES = ['llama', 'mistral', 'qwen2', 'gpt2'] as const;

const DEFAULTS: Record<'llama' | 'mistral' | 'qwen2', { ropeTheta: number; eps: number; tied: boolean; maxPos: number }> = {
  llama: { ropeTheta: 10000, eps: 1e-6, tied: false, maxPos: 2048 },
  mistral: { ropeTheta: 10000, eps: 1e-6, tied: false, maxPos: 4096 * 32 },
  qwen2: { ropeTheta: 10000, eps: 1e-6, tied: false, maxPos: 32768 },
};

export function parseConfigJson(bytes: Uint8Array, file = 'config.json'): ModelSpec {
  return configToSpec(parseJsonObject(bytes, file), file);
}

/** Strict UTF-8 JSON object from a file's bytes; anything else is a CorruptFileError naming the file. */
export function parseJsonObject(bytes: Uint8Array, file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new CorruptFileError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CorruptFileError(file, 'is not a JSON object');
  return json as Record<string, unknown>;
}

export function configToSpec(cfg: Record<string, unknown>, file = 'config.json'): ModelSpec {
  const type = cfg.model_type;
  if (type === 'gpt2' || isNanoGptConfig(cfg)) return gpt2ConfigToSpec(cfg, file);
  if (type !== 'llama' && type !== 'mistral' && type !== 'qwen2')
    throw new UnsupportedModelTypeError(file, `model_type ${JSON.stringify(type)}`, SUPPORTED_MODEL_TYPES);
  const d = DEFAULTS[type];

  const int = (key: string, def?: number): number => {
    const v = cfg[key] ?? def;
    if (v === undefined) throw new ConfigError(file, key, 'is missing', `Add it (see the model card) or use the original config.json.`);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
      throw new ConfigError(file, key, `must be a positive integer, got ${JSON.stringify(v)}`, 'Fix config.json.');
    return v;
  };
  const num = (key: string, def: number): number => {
    const v = cfg[key] ?? def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw new ConfigError(file, key, `must be a positive number, got ${JSON.stringify(v)}`, 'Fix config.json.');
    return v;
  };
  const optId = (key: string): number | undefined => {
    let v = cfg[key];
    if (Array.isArray(v)) v = v[0]; // Llama-3 style eos lists: the first is the canonical end token
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  };

  const act = cfg.hidden_act ?? 'silu';
  if (act !== 'silu') throw new ConfigError(file, 'hidden_act', `is ${JSON.stringify(act)}`, 'Only SwiGLU (silu) MLPs are supported.');
  const rs = cfg.rope_scaling as { rope_type?: unknown; type?: unknown } | null | undefined;
  // newer transformers write {"rope_type": "default"} for plain RoPE
  if (rs != null && !(typeof rs === 'object' && (rs.rope_type ?? rs.type) === 'default'))
    throw new ConfigError(
      file,
      'rope_scaling',
      `is ${JSON.stringify(cfg.rope_scaling)}`,
      'Scaled RoPE (linear/dynamic/llama3/yarn) is not supported; pick a model with rope_scaling null.',
    );
  if (cfg.attention_bias === true || cfg.mlp_bias === true)
    throw new ConfigError(
      file,
      cfg.attention_bias === true ? 'attention_bias' : 'mlp_bias',
      'is true',
      'Biases on o_proj/MLP linears are not supported (only qwen2-style q/k/v biases).',
    );

  const dim = int('hidden_size');
  const nHeads = int('num_attention_heads');
  const nKvHeads = int('num_key_value_heads', nHeads);
  if (nHeads % nKvHeads !== 0)
    throw new ConfigError(file, 'num_key_value_heads', `(${nKvHeads}) does not divide num_attention_heads (${nHeads})`, 'Fix config.json.');
  const headDim = cfg.head_dim == null ? dim / nHeads : int('head_dim');
  if (!Number.isInteger(headDim) || headDim % 2 !== 0)
    throw new ConfigError(
      file,
      'head_dim',
      `(${headDim}) must be an even integer`,
      'RoPE rotates pairs; set head_dim explicitly if hidden_size is not divisible by the heads.',
    );

  let maxSeqLen = int('max_position_embeddings', d.maxPos);
  // Mistral / Qwen2 sliding-window attention only differs from full causal attention for sequences
  // longer than the window, so we cap the usable sequence length at the window instead of modelling it.
  const slidingOn = type === 'mistral' || (type === 'qwen2' && cfg.use_sliding_window === true);
  if (slidingOn && typeof cfg.sliding_window === 'number' && cfg.sliding_window > 0) maxSeqLen = Math.min(maxSeqLen, cfg.sliding_window);

  const tied = cfg.tie_word_embeddings ?? d.tied;
  if (typeof tied !== 'boolean') throw new ConfigError(file, 'tie_word_embeddings', 'must be true or false', 'Fix config.json.');

  return {
    family: type as ModelFamily,
    vocabSize: int('vocab_size'),
    dim,
    nLayers: int('num_hidden_layers'),
    nHeads,
    nKvHeads,
    headDim,
    ffnDim: int('intermediate_size'),
    maxSeqLen,
    ropeTheta: num('rope_theta', d.ropeTheta),
    normEps: num('rms_norm_eps', d.eps),
    ropeLayout: 'half',
    tiedEmbeddings: tied,
    qkvBias: type === 'qwen2',
    bosTokenId: optId('bos_token_id'),
    eosTokenId: optId('eos_token_id'),
  };
}

/** ModelSpec → a config.json that transformers loads (for exporting a pruned model in `torchDtype`). */
export function specToConfig(spec: ModelSpec, torchDtype: 'float32' | 'bfloat16' | 'float16' = 'float32'): Record<string, unknown> {
  if (spec.family === 'gpt2') return gpt2SpecToConfig(spec, torchDtype);
  if (spec.ropeLayout !== 'half')
    throw new ModelExportError(
      'specToConfig',
      "HF expects rotate-half RoPE; convert the weights with convertRopeLayout(spec, weights, 'half') first",
    );
  const type = spec.family === 'llama2c' ? 'llama' : (spec.family as 'llama' | 'mistral' | 'qwen2');
  return {
    architectures: [{ llama: 'LlamaForCausalLM', mistral: 'MistralForCausalLM', qwen2: 'Qwen2ForCausalLM' }[type]],
    model_type: type,
    vocab_size: spec.vocabSize,
    hidden_size: spec.dim,
    intermediate_size: spec.ffnDim,
    num_hidden_layers: spec.nLayers,
    num_attention_heads: spec.nHeads,
    num_key_value_heads: spec.nKvHeads,
    head_dim: spec.headDim,
    max_position_embeddings: spec.maxSeqLen,
    rope_theta: spec.ropeTheta,
    rms_norm_eps: spec.normEps,
    tie_word_embeddings: spec.tiedEmbeddings,
    hidden_act: 'silu',
    torch_dtype: torchDtype,
    ...(type === 'mistral' ? { sliding_window: null } : {}),
    ...(spec.bosTokenId !== undefined ? { bos_token_id: spec.bosTokenId } : {}),
    ...(spec.eosTokenId !== undefined ? { eos_token_id: spec.eosTokenId } : {}),
  };
}
