// A model's frozen weights on the GPU, uploaded once and shared by the GPU forward (modelForward.ts)
// and the pruning executor. Shapes as in src/model/spec.ts (a linear's W is [out, in]).
// Embedding and LM head are chunked VocabTables (vocabTable.ts); with tied embeddings both fields
// are the same table, uploaded once. 16-bit host weights are widened one tensor at a time on upload.
import { blockLinearNames, linearOf, type LinearName, type ModelSpec, type StoredWeights } from '../model/spec';
import { uploadFinalNorm, uploadPositions, type FinalNormGpu } from './modelEnds';
import { toF32 } from '../model/weightArray';
import type { GpuRuntime } from './runtime';
import { destroyVocabTable, uploadVocabTable, type VocabTable } from './vocabTable';

export interface GpuLinear {
  w: GPUBuffer; // [out, in]
  b: GPUBuffer | null; // [out]
  out: number;
  in: number;
}

/** The block's own linears (blockLinearNames) are present, the other architecture's are not. */
export interface GpuBlockWeights extends Record<LinearName, GpuLinear> {
  attnNorm: GPUBuffer; // [C]
  mlpNorm: GPUBuffer; // [C]
  attnNormBias?: GPUBuffer; // [C] gpt2 LayerNorm biases (zeros when the file has none)
  mlpNormBias?: GPUBuffer; // [C]
}

export interface GpuModel {
  spec: ModelSpec;
  blocks: GpuBlockWeights[];
  finalNorm: FinalNormGpu; // [C] (+ bias for gpt2)
  pos: GPUBuffer | null; // [P, C] learned positions (gpt2)
  embed: VocabTable; // [V, C]
  head: VocabTable; // [V, C]; === embed when the embeddings are tied
}

export interface UploadModelOptions {
  /** Rows per vocabulary chunk (default: as many as one storage binding holds). */
  vocabChunkRows?: number;
}

/** One decoder block's weights, widened to f32 one tensor at a time (label prefix L<i>). */
export function uploadBlockWeights(rt: GpuRuntime, b: StoredWeights['blocks'][number], i: number): GpuBlockWeights {
  const lin = {} as Record<LinearName, GpuLinear>;
  for (const n of blockLinearNames(b)) {
    const l = linearOf(b, n);
    lin[n] = { w: rt.upload(toF32(l.w), `L${i}.${n}.w`), b: l.b ? rt.upload(l.b, `L${i}.${n}.b`) : null, out: l.out, in: l.in };
  }
  const out: GpuBlockWeights = {
    ...lin,
    attnNorm: rt.upload(b.attnNorm, `L${i}.attnNorm`),
    mlpNorm: rt.upload(b.mlpNorm, `L${i}.mlpNorm`),
  };
  if (b.fc) {
    const C = b.attnNorm.length;
    out.attnNormBias = rt.upload(b.attnNormBias ?? new Float32Array(C), `L${i}.attnNormBias`);
    out.mlpNormBias = rt.upload(b.mlpNormBias ?? new Float32Array(C), `L${i}.mlpNormBias`);
  }
  return out;
}

/** Free one block's weights (after the commands that read them are submitted). */
export function destroyBlockWeights(rt: GpuRuntime, b: GpuBlockWeights): void {
  rt.flush();
  rt.destroy(b.attnNorm, b.mlpNorm, b.attnNormBias, b.mlpNormBias);
  for (const l of Object.values(b) as unknown[])
    if (l && typeof l === 'object' && 'out' in l) rt.destroy((l as GpuLinear).w, (l as GpuLinear).b);
}

export function uploadModel(rt: GpuRuntime, spec: ModelSpec, weights: StoredWeights, opts: UploadModelOptions = {}): GpuModel {
  const C = spec.dim;
  const blocks = weights.blocks.map((b, i) => uploadBlockWeights(rt, b, i));
  const embed = uploadVocabTable(rt, weights.embed, spec.vocabSize, C, 'embed', opts.vocabChunkRows);
  const head =
    weights.lmHead === weights.embed ? embed : uploadVocabTable(rt, weights.lmHead, spec.vocabSize, C, 'lmHead', opts.vocabChunkRows);
  return { spec, blocks, finalNorm: uploadFinalNorm(rt, spec, weights), pos: uploadPositions(rt, weights), embed, head };
}

export function destroyModel(rt: GpuRuntime, m: GpuModel): void {
  for (const b of m.blocks) destroyBlockWeights(rt, b);
  rt.destroy(m.finalNorm.w, m.finalNorm.b, m.pos);
  destroyVocabTable(rt, m.embed);
  if (m.head !== m.embed) destroyVocabTable(rt, m.head);
}
