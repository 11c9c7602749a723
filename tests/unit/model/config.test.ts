import { describe, expect, it } from 'vitest';
import { configToSpec, parseConfigJson, specToConfig } from '../../../src/model/config';
import { ConfigError, CorruptFileError, UnsupportedModelTypeError } from '../../../src/model/errors';

// Abridged from the published config.json files of these models (values as on the HF Hub).
const TINYLLAMA = {
  architectures: ['LlamaForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 2048,
  initializer_range: 0.02,
  intermediate_size: 5632,
  max_position_embeddings: 2048,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 22,
  num_key_value_heads: 4,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  vocab_size: 32000,
};
const SMOLLM_135M = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  bos_token_id: 0,
  eos_token_id: 0,
  hidden_act: 'silu',
  hidden_size: 576,
  intermediate_size: 1536,
  max_position_embeddings: 2048,
  model_type: 'llama',
  num_attention_heads: 9,
  num_hidden_layers: 30,
  num_key_value_heads: 3,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  rope_theta: 10000.0,
  tie_word_embeddings: true,
  vocab_size: 49152,
};
const MISTRAL_7B = {
  architectures: ['MistralForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 4096,
  intermediate_size: 14336,
  max_position_embeddings: 32768,
  model_type: 'mistral',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_theta: 10000.0,
  sliding_window: 4096,
  tie_word_embeddings: false,
  vocab_size: 32000,
};
const QWEN2_05B = {
  architectures: ['Qwen2ForCausalLM'],
  bos_token_id: 151643,
  eos_token_id: 151643,
  hidden_act: 'silu',
  hidden_size: 896,
  intermediate_size: 4864,
  max_position_embeddings: 131072,
  max_window_layers: 24,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 131072,
  tie_word_embeddings: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

describe('config.json → ModelSpec', () => {
  it('maps TinyLlama (GQA, untied)', () => {
    const s = configToSpec(TINYLLAMA);
    expect(s).toMatchObject({
      family: 'llama',
      vocabSize: 32000,
      dim: 2048,
      nLayers: 22,
      nHeads: 32,
      nKvHeads: 4,
      headDim: 64,
      ffnDim: 5632,
      maxSeqLen: 2048,
      ropeTheta: 10000,
      normEps: 1e-5,
      ropeLayout: 'half',
      tiedEmbeddings: false,
      qkvBias: false,
      bosTokenId: 1,
      eosTokenId: 2,
    });
  });
  it('maps SmolLM (tied embeddings, head_dim 64 from 576/9)', () => {
    const s = configToSpec(SMOLLM_135M);
    expect(s).toMatchObject({ tiedEmbeddings: true, headDim: 64, nKvHeads: 3, bosTokenId: 0, eosTokenId: 0 });
  });
  it('maps Mistral and caps the sequence length at the sliding window', () => {
    const s = configToSpec(MISTRAL_7B);
    expect(s).toMatchObject({ family: 'mistral', nKvHeads: 8, maxSeqLen: 4096, qkvBias: false });
  });
  it('maps Qwen2 (q/k/v bias, tied, rope_theta 1e6, sliding window off)', () => {
    const s = configToSpec(QWEN2_05B);
    expect(s).toMatchObject({
      family: 'qwen2',
      qkvBias: true,
      tiedEmbeddings: true,
      ropeTheta: 1e6,
      normEps: 1e-6,
      headDim: 64,
      maxSeqLen: 131072,
    });
  });
  it('applies the transformers defaults (kv heads = heads, explicit head_dim, eos lists)', () => {
    const s = configToSpec({
      model_type: 'llama',
      hidden_size: 64,
      intermediate_size: 100,
      num_hidden_layers: 1,
      num_attention_heads: 4,
      vocab_size: 10,
      head_dim: 32,
      eos_token_id: [7, 8],
    });
    expect(s).toMatchObject({
      nKvHeads: 4,
      headDim: 32,
      ropeTheta: 10000,
      normEps: 1e-6,
      maxSeqLen: 2048,
      tiedEmbeddings: false,
      eosTokenId: 7,
      bosTokenId: undefined,
    });
  });
  it('refuses unsupported model types, naming the supported ones', () => {
    expect(() => configToSpec({ ...TINYLLAMA, model_type: 'gpt_neox' })).toThrow(UnsupportedModelTypeError);
    expect(() => configToSpec({ ...TINYLLAMA, model_type: 'gpt_neox' })).toThrow(/llama, mistral, qwen2, gpt2/);
  });
  it('gpt2: HF GPT2Config (124M) and nanoGPT model_args both map to the GPT-2 block; what it cannot compute is refused', () => {
    const hf = {
      model_type: 'gpt2',
      vocab_size: 50257,
      n_embd: 768,
      n_layer: 12,
      n_head: 12,
      n_positions: 1024,
      n_ctx: 1024,
      n_inner: null,
      activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5,
      bos_token_id: 50256,
      eos_token_id: 50256,
    };
    expect(configToSpec(hf)).toMatchObject({
      family: 'gpt2',
      dim: 768,
      nHeads: 12,
      nKvHeads: 12,
      headDim: 64,
      ffnDim: 3072,
      maxSeqLen: 1024,
      tiedEmbeddings: true,
      qkvBias: true,
      eosTokenId: 50256,
    });
    const nano = { n_layer: 6, n_head: 6, n_embd: 384, block_size: 256, bias: false, vocab_size: 65, dropout: 0.2 };
    expect(configToSpec(nano)).toMatchObject({ family: 'gpt2', dim: 384, nLayers: 6, maxSeqLen: 256, ffnDim: 1536, qkvBias: false });
    expect(() => configToSpec({ ...hf, activation_function: 'gelu' })).toThrow(/activation_function.*tanh GELU/);
    expect(() => configToSpec({ ...hf, n_head: 7 })).toThrow(/n_head.*does not divide n_embd/);
    expect(() => configToSpec({ ...hf, scale_attn_by_inverse_layer_idx: true })).toThrow(ConfigError);
  });
  it('refuses configs the forward cannot honour, with the field named', () => {
    expect(() => configToSpec({ ...TINYLLAMA, rope_scaling: { type: 'linear', factor: 2 } })).toThrow(/rope_scaling/);
    expect(() => configToSpec({ ...TINYLLAMA, rope_scaling: { rope_type: 'llama3', factor: 8 } })).toThrow(/rope_scaling/);
    expect(configToSpec({ ...TINYLLAMA, rope_scaling: { rope_type: 'default' } }).ropeTheta).toBe(10000);
    expect(() => configToSpec({ ...TINYLLAMA, attention_bias: true })).toThrow(ConfigError);
    expect(() => configToSpec({ ...TINYLLAMA, num_key_value_heads: 5 })).toThrow(/num_key_value_heads/);
    expect(() => configToSpec({ ...TINYLLAMA, hidden_size: 'big' })).toThrow(/hidden_size/);
    const { vocab_size: _, ...noVocab } = TINYLLAMA;
    expect(() => configToSpec(noVocab)).toThrow(/vocab_size.*missing/);
    expect(() => configToSpec({ ...TINYLLAMA, hidden_act: 'gelu' })).toThrow(/hidden_act/);
    expect(() => parseConfigJson(new TextEncoder().encode('{"model_type": "llama",'))).toThrow(CorruptFileError);
  });
  it('specToConfig round-trips through configToSpec', () => {
    for (const c of [TINYLLAMA, SMOLLM_135M, QWEN2_05B]) {
      const s = configToSpec(c);
      expect(configToSpec(specToConfig(s))).toEqual(s);
    }
  });
});
