// Random-weight checkpoints with the exact shapes of models people use (docs/real-models.md §4), laid
// out as on the Hugging Face hub: config.json (the model's own fields), bf16 safetensors (sharded with
// model.safetensors.index.json when asked), tokenizer.json with the model's vocabulary size and
// tokenizer_config.json. No such checkpoint can be downloaded here, so tests and the bench make these;
// the loader, the pipeline and the exports read them through the real code paths.
//   npm run synthetic -- --shape smollm2-135m --out /tmp/smollm2 [--layers 2] [--seed 0]
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeSafetensors, type TensorToWrite } from '../model/safetensors';
import { bf16Bits, halfArray } from '../model/weightArray';

export interface SyntheticShape {
  /** config.json as the model's hub repository has it (num_hidden_layers may be overridden). */
  config: Record<string, unknown>;
  /** Regular BPE tokens (ids 0…n-1 after the leading special tokens) and the special tokens. */
  specialsFirst: string[];
  regularTokens: number;
  specialsLast: string[];
  shards: number;
}

const SMOL_SPECIALS = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  '<repo_name>',
  '<reponame>',
  '<file_sep>',
  '<filename>',
  '<gh_stars>',
];
const QWEN_SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|object_ref_start|>', '<|object_ref_end|>', '<|box_start|>'];

export const SYNTHETIC_SHAPES: Record<'smollm2-135m' | 'qwen2.5-0.5b', SyntheticShape> = {
  // HuggingFaceTB/SmolLM2-135M config.json (the fields the loader reads, plus what the hub file has).
  'smollm2-135m': {
    config: {
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      hidden_size: 576,
      intermediate_size: 1536,
      num_hidden_layers: 30,
      num_attention_heads: 9,
      num_key_value_heads: 3,
      head_dim: 64,
      hidden_act: 'silu',
      vocab_size: 49152,
      max_position_embeddings: 8192,
      rms_norm_eps: 1e-5,
      rope_theta: 100000,
      tie_word_embeddings: true,
      attention_bias: false,
      mlp_bias: false,
      bos_token_id: 0,
      eos_token_id: 0,
      torch_dtype: 'bfloat16',
    },
    specialsFirst: [...SMOL_SPECIALS, ...Array.from({ length: 9 }, (_, i) => `<|synthetic_${i}|>`)], // 17, as SmolLM2
    regularTokens: 49152 - 17,
    specialsLast: [],
    shards: 1,
  },
  // Qwen/Qwen2.5-0.5B config.json: the vocabulary is padded to 151936 beyond the tokenizer's 151665 ids.
  'qwen2.5-0.5b': {
    config: {
      architectures: ['Qwen2ForCausalLM'],
      model_type: 'qwen2',
      hidden_size: 896,
      intermediate_size: 4864,
      num_hidden_layers: 24,
      num_attention_heads: 14,
      num_key_value_heads: 2,
      hidden_act: 'silu',
      vocab_size: 151936,
      max_position_embeddings: 32768,
      max_window_layers: 24,
      rms_norm_eps: 1e-6,
      rope_theta: 1000000,
      sliding_window: 32768,
      use_sliding_window: false,
      tie_word_embeddings: true,
      bos_token_id: 151643,
      eos_token_id: 151643,
      torch_dtype: 'bfloat16',
    },
    specialsFirst: [],
    regularTokens: 151643,
    specialsLast: [...QWEN_SPECIALS, ...Array.from({ length: 16 }, (_, i) => `<|synthetic_${i}|>`)], // 22, as Qwen2.5
    shards: 2,
  },
};
export type SyntheticShapeName = keyof typeof SYNTHETIC_SHAPES;

/** GPT-2's byte → printable character map (the alphabet of byte-level BPE). */
function byteAlphabet(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const out: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  return out;
}

/**
 * A byte-level BPE tokenizer.json with exactly `regular` ordinary tokens: the 256 byte symbols, then
 * merges of two symbols, then of a pair and a symbol, in a fixed order (a valid BPE, not a trained one).
 */
export function syntheticTokenizerJson(shape: SyntheticShape): string {
  const bytes = byteAlphabet();
  const vocab: Record<string, number> = {};
  const merges: [string, string][] = [];
  let id = shape.specialsFirst.length;
  for (const b of bytes) vocab[b] = id++;
  const end = shape.specialsFirst.length + shape.regularTokens;
  const pairs: string[] = [];
  outer: for (const a of bytes)
    for (const b of bytes) {
      if (id >= end) break outer;
      vocab[a + b] = id++;
      merges.push([a, b]);
      pairs.push(a + b);
    }
  outer3: for (const p of pairs)
    for (const c of bytes) {
      if (id >= end) break outer3;
      if (vocab[p + c] !== undefined) continue;
      vocab[p + c] = id++;
      merges.push([p, c]);
    }
  const special = (content: string, i: number) => ({
    id: i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const added = [...shape.specialsFirst.map((s, i) => special(s, i)), ...shape.specialsLast.map((s, i) => special(s, end + i))];
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  });
}

/** Fast seeded uniform values in [-a, a] (xorshift32), as bf16 bits. */
function randomBf16(n: number, a: number, state: { s: number }): Uint16Array {
  const bits = new Uint16Array(n);
  let s = state.s;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    bits[i] = bf16Bits(((s >>> 0) / 4294967296 - 0.5) * 2 * a);
  }
  state.s = s;
  return bits;
}

/** Every tensor of the checkpoint in HF order (name, shape, how to fill it). */
function tensorPlan(cfg: Record<string, number | boolean | string | unknown>): [string, number[], 'weight' | 'norm' | 'bias'][] {
  const C = cfg.hidden_size as number;
  const H = cfg.num_attention_heads as number;
  const D = (cfg.head_dim as number | undefined) ?? C / H;
  const KV = cfg.num_key_value_heads as number;
  const F = cfg.intermediate_size as number;
  const bias = cfg.model_type === 'qwen2';
  const plan: [string, number[], 'weight' | 'norm' | 'bias'][] = [['model.embed_tokens.weight', [cfg.vocab_size as number, C], 'weight']];
  for (let l = 0; l < (cfg.num_hidden_layers as number); l++) {
    const p = `model.layers.${l}.`;
    plan.push([`${p}input_layernorm.weight`, [C], 'norm']);
    for (const [n, out] of [
      ['q', H * D],
      ['k', KV * D],
      ['v', KV * D],
    ] as const) {
      plan.push([`${p}self_attn.${n}_proj.weight`, [out, C], 'weight']);
      if (bias) plan.push([`${p}self_attn.${n}_proj.bias`, [out], 'bias']);
    }
    plan.push([`${p}self_attn.o_proj.weight`, [C, H * D], 'weight']);
    plan.push([`${p}post_attention_layernorm.weight`, [C], 'norm']);
    plan.push(
      [`${p}mlp.gate_proj.weight`, [F, C], 'weight'],
      [`${p}mlp.up_proj.weight`, [F, C], 'weight'],
      [`${p}mlp.down_proj.weight`, [C, F], 'weight'],
    );
  }
  plan.push(['model.norm.weight', [C], 'norm']);
  if (cfg.tie_word_embeddings !== true) plan.push(['lm_head.weight', [cfg.vocab_size as number, C], 'weight']);
  return plan;
}

export interface SyntheticOptions {
  /** Fewer blocks than the real model (each block keeps its exact shape); default: all of them. */
  layers?: number;
  seed?: number;
}

/** Write a synthetic checkpoint folder; returns the files written and the weight bytes. */
export async function writeSyntheticCheckpoint(
  dir: string,
  name: SyntheticShapeName,
  opts: SyntheticOptions = {},
): Promise<{ files: string[]; weightBytes: number }> {
  const shape = SYNTHETIC_SHAPES[name];
  const config: Record<string, unknown> = { ...shape.config, ...(opts.layers !== undefined ? { num_hidden_layers: opts.layers } : {}) };
  const plan = tensorPlan(config);
  await mkdir(dir, { recursive: true });
  const state = { s: (opts.seed ?? 0) * 2654435761 + 12345 || 1 };
  const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const total = plan.reduce((a, [, s]) => a + numel(s), 0);
  const files: string[] = [];
  const weightMap: Record<string, string> = {};
  let weightBytes = 0;
  // Shards split the tensor list into parts of about equal size, in order, as save_pretrained does.
  let start = 0;
  for (let k = 0; k < shape.shards; k++) {
    const file =
      shape.shards === 1
        ? 'model.safetensors'
        : `model-${String(k + 1).padStart(5, '0')}-of-${String(shape.shards).padStart(5, '0')}.safetensors`;
    const tensors = new Map<string, TensorToWrite>();
    let acc = plan.slice(0, start).reduce((a, [, s]) => a + numel(s), 0);
    let i = start;
    for (; i < plan.length && (k === shape.shards - 1 || acc < ((k + 1) * total) / shape.shards); i++) {
      const [tname, tshape, kind] = plan[i];
      const n = numel(tshape);
      const bits = kind === 'norm' ? new Uint16Array(n).fill(bf16Bits(1)) : randomBf16(n, kind === 'bias' ? 0.01 : 0.035, state); // U(±0.035): std 0.02
      tensors.set(tname, { shape: tshape, data: halfArray('BF16', bits) });
      weightMap[tname] = file;
      acc += n;
    }
    start = i;
    const bytes = writeSafetensors(tensors, { synthetic: `${name}, random weights, seed ${opts.seed ?? 0}` });
    await writeFile(join(dir, file), bytes);
    weightBytes += bytes.length;
    files.push(file);
  }
  const json = (v: unknown) => JSON.stringify(v, null, 2);
  if (shape.shards > 1) {
    await writeFile(join(dir, 'model.safetensors.index.json'), json({ metadata: { total_size: 2 * total }, weight_map: weightMap }));
    files.push('model.safetensors.index.json');
  }
  await writeFile(join(dir, 'config.json'), json(config));
  await writeFile(join(dir, 'tokenizer.json'), syntheticTokenizerJson(shape));
  await writeFile(
    join(dir, 'tokenizer_config.json'),
    json({ eos_token: '<|endoftext|>', bos_token: null, model_max_length: config.max_position_embeddings }),
  );
  await writeFile(
    join(dir, 'README.md'),
    `# ${name} (synthetic)\n\nRandom bf16 weights with the exact shapes of ${name}; made by src/cli/synthetic.ts. Not a trained model.\n`,
  );
  files.push('config.json', 'tokenizer.json', 'tokenizer_config.json', 'README.md');
  return { files, weightBytes };
}

async function main(argv: string[]): Promise<void> {
  const arg = (k: string) => {
    const i = argv.indexOf(`--${k}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const name = arg('shape') as SyntheticShapeName | undefined;
  const out = arg('out');
  if (!name || !(name in SYNTHETIC_SHAPES) || !out) {
    process.stderr.write(
      `usage: npm run synthetic -- --shape ${Object.keys(SYNTHETIC_SHAPES).join('|')} --out DIR [--layers N] [--seed S]\n`,
    );
    process.exit(2);
  }
  const layers = arg('layers');
  const t0 = performance.now();
  const r = await writeSyntheticCheckpoint(out, name, { layers: layers ? Number(layers) : undefined, seed: Number(arg('seed') ?? 0) });
  process.stdout.write(
    `${out}: ${r.files.join(', ')} (${(r.weightBytes / 2 ** 20).toFixed(1)} MiB of weights, ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main(process.argv.slice(2));
