// The forward of one block over many sequences at once (docs/speed.md §6): the dense pass that gives BESA's
// targets and statistics, and the pass through the pruned block that feeds the next one. seqs sequences of
// T rows sit one after another, [seqs·T, C]; every op but attention is row-wise, so each linear, norm and
// add is ONE dispatch over all rows (blockForwardOps with seqs), and attention runs per sequence on one
// shared probs [H, T, T]. No backward state is kept and no masks are applied (the weights are either dense
// or already pruned).
import { linearShapes, type ModelSpec } from '../model/spec';
import type { BlockForwardBuffers, BlockWeightsGpu } from './block';
import { blockForwardOps } from './block';
import { ShapeError } from './errors';
import { maskedLinearForward } from './kernels/maskedLinear';
import { ropeTableData } from './kernels/rope';
import type { GpuRuntime } from './runtime';

export interface BlockBatchBuffers extends BlockForwardBuffers {
  T: number; // rows per sequence
  seqs: number; // sequences the buffers hold
  x: GPUBuffer; // [seqs·T, C] input
}

/** Bytes of every [rows, ·] buffer of a batch, per sequence of T rows (the chunk size is budget / this). */
export function batchBytesPerSequence(spec: ModelSpec, T: number): number {
  const { dim: C, nHeads: H, nKvHeads: KVH, headDim: D, ffnDim: F } = spec;
  // x, n1, proj, x1, n2, y (C); q, qr, att (H·D); k, kr, v (KVH·D); gate, up, h (F); rstd1, rstd2, mean1, mean2; rope rows
  return 4 * T * (6 * C + 3 * H * D + 3 * KVH * D + 3 * F + 4 + D);
}

/** Sequences per chunk: as many as fit `budgetBytes` and the adapter's binding size, at least 1. */
export function sequencesPerChunk(rt: GpuRuntime, spec: ModelSpec, T: number, budgetBytes: number): number {
  const widest = 4 * T * Math.max(spec.dim, spec.nHeads * spec.headDim, spec.ffnDim);
  const byBinding = Math.floor(Math.min(rt.caps.limits.maxStorageBufferBindingSize, rt.caps.limits.maxBufferSize) / widest);
  return Math.max(1, Math.min(Math.floor(budgetBytes / batchBytesPerSequence(spec, T)), byBinding));
}

export function createBlockBatch(rt: GpuRuntime, spec: ModelSpec, T: number, seqs: number): BlockBatchBuffers {
  const { dim: C, nHeads: H, nKvHeads: KVH, headDim: D, ffnDim: F } = spec;
  if (!Number.isInteger(seqs) || seqs < 1) throw new ShapeError(`block batch: seqs=${seqs} must be a positive integer.`);
  const rows = seqs * T;
  const b = (n: number, label: string) => rt.createBuffer(n * 4, `batch.${label}`);
  // the rotary table repeats positions 0..T−1 for every sequence (row r of the batch sits at position r mod T)
  const one = ropeTableData(T, D, spec.ropeTheta);
  const cs = new Float32Array(seqs * one.length);
  for (let s = 0; s < seqs; s++) cs.set(one, s * one.length);
  return {
    T,
    seqs,
    x: b(rows * C, 'x'),
    n1: b(rows * C, 'n1'),
    rstd1: b(rows, 'rstd1'),
    mean1: b(rows, 'mean1'),
    q: b(rows * H * D, 'q'),
    k: b(rows * KVH * D, 'k'),
    v: b(rows * KVH * D, 'v'),
    qr: b(rows * H * D, 'qr'),
    kr: b(rows * KVH * D, 'kr'),
    probs: b(H * T * T, 'probs'),
    att: b(rows * H * D, 'att'),
    proj: b(rows * C, 'proj'),
    x1: b(rows * C, 'x1'),
    n2: b(rows * C, 'n2'),
    rstd2: b(rows, 'rstd2'),
    mean2: b(rows, 'mean2'),
    gate: b(rows * F, 'gate'),
    up: b(rows * F, 'up'),
    h: b(rows * F, 'h'),
    y: b(rows * C, 'y'),
    rope: { buffer: rt.upload(cs, `batch.rope[${seqs}×${T}]`), T: rows, D, theta: spec.ropeTheta, posOffset: 0 },
  };
}

export function destroyBlockBatch(rt: GpuRuntime, a: BlockBatchBuffers): void {
  rt.flush();
  const { T: _T, seqs: _s, rope, ...bufs } = a;
  rt.destroy(rope.buffer, ...Object.values(bufs));
}

/** Record the forward of the first `seqs` sequences in a.x (seqs ≤ a.seqs) into a.y and the saved inputs. */
export function blockForwardBatchGpu(rt: GpuRuntime, spec: ModelSpec, w: BlockWeightsGpu, a: BlockBatchBuffers, seqs: number): void {
  if (seqs < 1 || seqs > a.seqs) throw new ShapeError(`block batch: ${seqs} sequences asked, the buffers hold ${a.seqs}.`);
  const shapes = linearShapes(spec);
  const rows = seqs * a.T;
  blockForwardOps(
    rt,
    spec,
    w,
    (n, inp, out) => {
      const [Out, In] = shapes[n];
      maskedLinearForward(rt, { x: inp, w: w[n].w, mask: null, bias: w[n].b, weff: null, y: out }, { T: rows, In, Out });
    },
    a.x,
    a,
    a.T,
    undefined,
    seqs,
  );
}
