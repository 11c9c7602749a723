// GPT-2 config.json ⇄ ModelSpec (docs/gpt2.md §1). Two dialects: HF GPT2Config (model_type "gpt2":
// n_embd, n_layer, n_head, n_positions, n_inner, layer_norm_epsilon, activation_function) and nanoGPT's
// model_args (no model_type: n_embd, n_layer, n_head, block_size, vocab_size, bias) for its exports.
import { ConfigError } from './errors';
import type { ModelSpec } from './spec';

/** Both tanh-GELU spellings HF uses; plain "gelu" is the erf form, which this engine does not compute. */
const TANH_GELU = ['gelu_new', 'gelu_pytorch_tanh'];

/** A nanoGPT model_args dict: it has GPT-2's n_* keys and no model_type. */
export function isNanoGptConfig(cfg: Record<string, unknown>): boolean {
  return cfg.model_type === undefined && 'n_embd' in cfg && 'n_head' in cfg;
}

export function gpt2ConfigToSpec(cfg: Record<string, unknown>, file = 'config.json'): ModelSpec {
  const int = (key: string, def?: number): number => {
    const v = cfg[key] ?? def;
    if (v === undefined) throw new ConfigError(file, key, 'is missing', 'Add it (see the model card) or use the original config.json.');
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
      throw new ConfigError(file, key, `must be a positive integer, got ${JSON.stringify(v)}`, 'Fix config.json.');
    return v;
  };
  const refuseTrue = (key: string, why: string) => {
    if (cfg[key] === true) throw new ConfigError(file, key, 'is true', why);
  };
  const act = cfg.activation_function ?? 'gelu_new';
  if (typeof act !== 'string' || !TANH_GELU.includes(act))
    throw new ConfigError(
      file,
      'activation_function',
      `is ${JSON.stringify(act)}`,
      `Only the tanh GELU (${TANH_GELU.join(' or ')}) is supported.`,
    );
  refuseTrue('scale_attn_by_inverse_layer_idx', 'Per-layer attention scaling (Mistral-GPT2 style) is not supported.');
  refuseTrue('add_cross_attention', 'Encoder-decoder GPT-2 is not supported; use a decoder-only checkpoint.');
  if (cfg.scale_attn_weights === false)
    throw new ConfigError(file, 'scale_attn_weights', 'is false', 'Only 1/√head_dim attention scaling is supported.');

  const dim = int('n_embd');
  const nHeads = int('n_head');
  const headDim = dim / nHeads;
  if (!Number.isInteger(headDim)) throw new ConfigError(file, 'n_head', `(${nHeads}) does not divide n_embd (${dim})`, 'Fix config.json.');
  const nano = isNanoGptConfig(cfg);
  const maxSeqLen = nano ? int('block_size', 1024) : int('n_positions', typeof cfg.n_ctx === 'number' ? cfg.n_ctx : 1024);
  const eps = cfg.layer_norm_epsilon ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0))
    throw new ConfigError(file, 'layer_norm_epsilon', `must be a positive number, got ${JSON.stringify(eps)}`, 'Fix config.json.');
  const tied = cfg.tie_word_embeddings ?? true;
  if (typeof tied !== 'boolean') throw new ConfigError(file, 'tie_word_embeddings', 'must be true or false', 'Fix config.json.');
  const id = (key: string): number | undefined => {
    const v = cfg[key];
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  };
  return {
    family: 'gpt2',
    vocabSize: int('vocab_size'),
    dim,
    nLayers: int('n_layer'),
    nHeads,
    nKvHeads: nHeads,
    headDim,
    ffnDim: cfg.n_inner == null ? 4 * dim : int('n_inner'),
    maxSeqLen,
    ropeTheta: 10000, // unused: GPT-2 adds learned positions to the embedding
    normEps: eps,
    ropeLayout: 'half',
    tiedEmbeddings: tied,
    qkvBias: cfg.bias !== false, // every GPT-2 linear has a bias, except nanoGPT's bias=False
    bosTokenId: id('bos_token_id'),
    eosTokenId: id('eos_token_id'),
  };
}

/** ModelSpec → an HF GPT2Config that transformers' GPT2LMHeadModel loads. */
export function gpt2SpecToConfig(spec: ModelSpec, torchDtype: string): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: spec.vocabSize,
    n_embd: spec.dim,
    n_layer: spec.nLayers,
    n_head: spec.nHeads,
    n_positions: spec.maxSeqLen,
    n_ctx: spec.maxSeqLen,
    n_inner: spec.ffnDim === 4 * spec.dim ? null : spec.ffnDim,
    activation_function: 'gelu_new',
    layer_norm_epsilon: spec.normEps,
    scale_attn_weights: true,
    tie_word_embeddings: spec.tiedEmbeddings,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    torch_dtype: torchDtype,
    ...(spec.bosTokenId !== undefined ? { bos_token_id: spec.bosTokenId } : {}),
    ...(spec.eosTokenId !== undefined ? { eos_token_id: spec.eosTokenId } : {}),
  };
}
