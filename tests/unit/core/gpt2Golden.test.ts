// Golden values for GPT-2 from HF transformers' GPT2LMHeadModel and PyTorch autograd
// (tools/make_gpt2_fixtures.py, f64 on the f32 weights, stored F32; tests/fixtures/gpt2-tiny/README.md), for
// the tiny random model and for the bundled sotu-gpt2-3m. The model folders are HF's own layout (Conv1D
// [in, out], fused c_attn, no lm_head), so these tests also cover the loader's transposes and the c_attn split.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gpt2BlockBackwardRef, gpt2BlockForwardRef } from '../../../src/core/ops/gpt2Block';
import { REFERENCE_OPS } from '../../../src/core/ops/block';
import { reconLoss } from '../../../src/core/ops/reconLoss';
import { perplexity } from '../../../src/eval/perplexity';
import { adapterLimitProblems } from '../../../src/gpu/limits';
import { parseConfigJson, specToConfig } from '../../../src/model/config';
import { cpuForwardLogits, forwardCpu } from '../../../src/model/forward';
import { weightsFromHf, weightsToHf } from '../../../src/model/hfweights';
import { parseSafetensors, writeSafetensors } from '../../../src/model/safetensors';
import { GPT2_LINEAR_NAMES, linearNames, linearOf, weightsToF32, type LinearName } from '../../../src/model/spec';
import { expectClose } from '../../support/close';

const ROOT = join(__dirname, '../../..');
const sub = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from(a, (v, i) => v - b[i]);

function fixture(modelDir: string, goldenDir: string) {
  const fileBytes = new Uint8Array(readFileSync(join(ROOT, modelDir, 'model.safetensors')));
  const spec = parseConfigJson(new Uint8Array(readFileSync(join(ROOT, modelDir, 'config.json'))));
  const stored = weightsFromHf(spec, parseSafetensors(fileBytes));
  const gold = parseSafetensors(new Uint8Array(readFileSync(join(ROOT, goldenDir, 'golden.safetensors'))));
  const goldJson = JSON.parse(readFileSync(join(ROOT, goldenDir, 'golden.json'), 'utf8'));
  return { fileBytes, spec, stored, weights: weightsToF32(stored), gold, goldJson };
}

const tiny = fixture('tests/fixtures/gpt2-tiny', 'tests/fixtures/gpt2-tiny');

describe('gpt2 config and weights (HF GPT2LMHeadModel layout)', () => {
  const { spec, weights, stored, fileBytes } = tiny;
  it('config.json → spec: 6 linears, learned positions, tied head, 4C MLP', () => {
    expect(spec).toMatchObject({ family: 'gpt2', dim: 48, nLayers: 2, nHeads: 4, nKvHeads: 4, headDim: 12, ffnDim: 192 });
    expect(spec).toMatchObject({ vocabSize: 384, maxSeqLen: 64, normEps: 1e-5, tiedEmbeddings: true });
    expect(linearNames(spec)).toEqual(['q', 'k', 'v', 'o', 'fc', 'proj']);
    expect(weights.posEmbed?.length).toBe(64 * 48);
    expect(weights.lmHead).toBe(weights.embed);
    const b = weights.blocks[0];
    expect([b.q.out, b.q.in, b.fc!.out, b.fc!.in, b.proj!.out, b.proj!.in]).toEqual([48, 48, 192, 48, 48, 192]);
    expect(b.q.b && b.o.b && b.fc!.b && b.proj!.b && b.attnNormBias && b.mlpNormBias).toBeTruthy();
    // the adapter-limit check walks this model's own linears (it read LLaMA's gate and crashed the studio)
    expect(adapterLimitProblems(spec, { seqlen: 32 }, { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30 })).toEqual([]);
    expect(adapterLimitProblems(spec, { seqlen: 32 }, { maxStorageBufferBindingSize: 4096, maxBufferSize: 1 << 30 }).join('\n')).toMatch(
      /linear fc \[192, 48\]/,
    );
  });

  it('export writes back exactly the tensors, names, shapes and bytes HF saved', () => {
    const src = parseSafetensors(fileBytes);
    const out = parseSafetensors(writeSafetensors(weightsToHf(spec, stored)));
    expect(out.names().sort()).toEqual(src.names().sort());
    for (const n of src.names()) {
      expect(out.info(n).shape, n).toEqual(src.info(n).shape);
      expect(out.f32(n), n).toEqual(src.f32(n));
    }
    const cfg = specToConfig(spec);
    expect(cfg).toMatchObject({ model_type: 'gpt2', n_embd: 48, n_layer: 2, n_head: 4, n_positions: 64, activation_function: 'gelu_new' });
    expect(parseConfigJson(new TextEncoder().encode(JSON.stringify(cfg)))).toEqual(spec);
  });
});

describe('nanoGPT exports (nn.Linear [out, in], model_args as config.json)', () => {
  it('load to the same model as the HF folder (same logits), without a model_type and with lm_head stored', () => {
    const { spec, weights, goldJson, gold } = tiny;
    const t = new Map<string, { shape: number[]; data: Float32Array }>();
    const put = (n: string, shape: number[], data: Float32Array) => t.set(`transformer.${n}`, { shape, data });
    const C = spec.dim;
    put('wte.weight', [spec.vocabSize, C], weights.embed);
    put('wpe.weight', [spec.maxSeqLen, C], weights.posEmbed!);
    put('ln_f.weight', [C], weights.finalNorm);
    put('ln_f.bias', [C], weights.finalNormBias!);
    weights.blocks.forEach((b, i) => {
      const p = `h.${i}.`;
      put(`${p}ln_1.weight`, [C], b.attnNorm);
      put(`${p}ln_1.bias`, [C], b.attnNormBias!);
      put(`${p}ln_2.weight`, [C], b.mlpNorm);
      put(`${p}ln_2.bias`, [C], b.mlpNormBias!);
      const cat = (...a: Float32Array[]) => Float32Array.from(a.flatMap((x) => [...x]));
      put(`${p}attn.c_attn.weight`, [3 * C, C], cat(b.q.w, b.k.w, b.v.w)); // nn.Linear: rows q | k | v
      put(`${p}attn.c_attn.bias`, [3 * C], cat(b.q.b!, b.k.b!, b.v.b!));
      for (const [n, hf] of [
        ['o', 'attn.c_proj'],
        ['fc', 'mlp.c_fc'],
        ['proj', 'mlp.c_proj'],
      ] as const) {
        const l = linearOf(b, n);
        put(`${p}${hf}.weight`, [l.out, l.in], l.w);
        put(`${p}${hf}.bias`, [l.out], l.b!);
      }
    });
    t.set('lm_head.weight', { shape: [spec.vocabSize, C], data: weights.embed }); // nanoGPT saves the tied head too
    const args = { n_layer: 2, n_head: 4, n_embd: 48, block_size: 64, bias: true, vocab_size: 384, dropout: 0 };
    const nanoSpec = parseConfigJson(new TextEncoder().encode(JSON.stringify(args)));
    const nano = weightsFromHf(nanoSpec, parseSafetensors(writeSafetensors(t)));
    const ids = goldJson['ids.seq17'] as number[];
    expectClose(forwardCpu(nanoSpec, nano, ids), Float64Array.from(gold.f32('logits.seq17')), {
      atol: 2e-5,
      rtol: 1e-5,
      what: 'nanoGPT logits',
    });
  });
});

for (const [name, modelDir, goldenDir] of [
  ['tiny random GPT-2', 'tests/fixtures/gpt2-tiny', 'tests/fixtures/gpt2-tiny'],
  ['bundled sotu-gpt2-3m', 'public/models/sotu-gpt2-3m', 'tests/fixtures/sotu-gpt2-3m'],
] as const) {
  const { spec, stored, weights, gold, goldJson } = name.startsWith('tiny') ? tiny : fixture(modelDir, goldenDir);
  const g32 = (n: string) => gold.f32(n);
  const g64 = (n: string) => Float64Array.from(gold.f32(n));
  goldenSuites(name, spec, stored, weights, g32, g64, goldJson);
}

function goldenSuites(
  name: string,
  spec: ReturnType<typeof parseConfigJson>,
  stored: ReturnType<typeof weightsFromHf>,
  weights: ReturnType<typeof weightsToF32>,
  g32: (n: string) => Float32Array,
  g64: (n: string) => Float64Array,
  goldJson: Record<string, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
): void {
  describe(`golden: block 0 of the ${name}`, () => {
    const T = 19;
    const w = weights.blocks[0];
    it('forward intermediates and LayerNorm statistics match (f64 and f32 paths)', () => {
      for (const [x, atol, rtol] of [
        [g64('block0.x'), 1e-6, 1e-6],
        [g32('block0.x'), 1e-5, 1e-5],
      ] as const) {
        const { y, saved: s } = gpt2BlockForwardRef(spec, w, null, x, T, REFERENCE_OPS);
        const pairs: [string, ArrayLike<number>][] = [
          ['attn_norm', s.n1],
          ['ln1_mean', s.mean1],
          ['ln1_rstd', s.rstd1],
          ['q', s.q],
          ['k', s.k],
          ['v', s.v],
          ['attn_probs', s.probs],
          ['attn_out', s.att],
          ['o', sub(s.x1, s.x)],
          ['resid1', s.x1],
          ['mlp_norm', s.n2],
          ['ln2_mean', s.mean2],
          ['ln2_rstd', s.rstd2],
          ['fc', s.fc],
          ['act', s.h],
          ['proj', sub(y, s.x1)],
          ['block_out', y],
        ];
        for (const [name, got] of pairs)
          expectClose(got, g64(`block0.${name}`), { atol, rtol, what: `block0.${name} (${x.constructor.name})` });
      }
    });

    it('masked backward: loss, dL/dX and dL/dM of the masked linears match autograd', () => {
      // the masked linears: all 6 for the tiny model; q and o for the bundled one, the others at M = 1
      const masked = (goldJson['bwd.masked'] ?? GPT2_LINEAR_NAMES) as LinearName[];
      const masks: Partial<Record<LinearName, Float64Array>> = {};
      for (const n of masked) masks[n] = g64(`bwd.mask.${n}`);
      const fwd = gpt2BlockForwardRef(spec, w, masks, g64('block0.x'), T, REFERENCE_OPS);
      expectClose(fwd.y, g64('bwd.y'), { atol: 1e-6, rtol: 1e-6, what: 'bwd.y' });
      const { loss, dy } = reconLoss(fwd.y, g64('bwd.y_ref'), T, spec.dim);
      expect(Math.abs(loss - goldJson['bwd.loss'])).toBeLessThanOrEqual(1e-6 * goldJson['bwd.loss']);
      const { dx, dMask } = gpt2BlockBackwardRef(spec, w, masks, fwd.saved, dy, REFERENCE_OPS);
      expectClose(dx, g64('bwd.dx'), { atol: 1e-8, rtol: 1e-5, what: 'bwd.dx' });
      // |dL/dM| reaches 1e-3 (tiny, README (c)) and 1e-5 (bundled): an atol of 1e-8 cannot pass on zeros
      for (const n of masked) expectClose(dMask[n], g64(`bwd.dmask.${n}`), { atol: 1e-8, rtol: 1e-5, what: `bwd.dmask.${n}` });
    });
  });

  describe(`golden: ${name} logits and perplexity`, () => {
    it('logits of both sequences match transformers', () => {
      for (const T of [17, 64]) {
        const ids = goldJson[`ids.seq${T}`] as number[];
        expectClose(forwardCpu(spec, stored, ids), g64(`logits.seq${T}`), { atol: 2e-5, rtol: 1e-5, what: `logits.seq${T}` });
      }
    });

    it('perplexity (docs/besa.md §5) of 4 × 32 ids matches, window by window', async () => {
      const p = goldJson.ppl;
      const r = await perplexity(Int32Array.from(p.ids), p.seqlen, spec.vocabSize, cpuForwardLogits(spec, stored), { dataset: name });
      expect(r.windows).toBe(4);
      expect(Math.abs(r.ppl - p.ppl) / p.ppl).toBeLessThan(1e-5);
    });

    it('refuses a sequence longer than the learned positions, naming the limit', () => {
      const P = spec.maxSeqLen;
      expect(() => forwardCpu(spec, stored, new Array(P + 1).fill(1))).toThrow(new RegExp(`learned positions for ${P}`));
    });
  });
}
