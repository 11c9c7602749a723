// Before a run on WebGPU: do the buffers it will bind fit the adapter's limits (docs/reliability.md)? A
// storage binding may not exceed maxStorageBufferBindingSize (128 MiB on many adapters) nor maxBufferSize.
// Mid-run, createBuffer would throw BufferTooLargeError for the first buffer that does not fit, after
// minutes of work; this lists every buffer that will not fit, with its size and what to change, before any.
// The embedding and the LM head are uploaded in vocabulary chunks (src/gpu/vocabTable.ts), and the batched
// passes size their chunks to the limit (src/gpu/blockBatch.ts), so neither can be over it.
import { linearNames, linearShapes, type ModelSpec } from '../model/spec';
import { GpuError } from './errors';

export interface BufferLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export interface RunShape {
  /** Calibration window length (the BESA step and the block passes). */
  seqlen: number;
  /** Evaluation window length (the perplexity forward); default seqlen. */
  evalSeqlen?: number;
}

export class AdapterLimitError extends GpuError {
  override name = 'AdapterLimitError';
}

const MiB = (b: number) => `${(b / 2 ** 20).toFixed(b < 2 ** 20 ? 2 : 0)} MiB`;

/** The largest T with H·T·T·4 bytes within `limit`. */
const maxSeqFor = (H: number, limit: number) => Math.floor(Math.sqrt(limit / (4 * H)));

/** Every buffer of the run over the limit, as "what (shape) = size: fix" lines; empty when all fit. */
export function adapterLimitProblems(spec: ModelSpec, run: RunShape, limits: BufferLimits): string[] {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const { nHeads: H, headDim: D, ffnDim: F, dim: C } = spec;
  const out: string[] = [];
  const shapes = linearShapes(spec);
  for (const n of linearNames(spec)) {
    const [rows, cols] = shapes[n];
    const bytes = 4 * rows * cols; // uploaded as f32, and its mask, W⊙M and dL/dM likewise
    if (bytes > limit)
      out.push(
        `linear ${n} [${rows}, ${cols}] in f32 = ${MiB(bytes)}: this model's layers are too large for WebGPU on this adapter; use the wasm engine`,
      );
  }
  const lengths = new Map<number, string>([[run.seqlen, 'seqlen']]);
  const ev = run.evalSeqlen ?? run.seqlen;
  if (ev !== run.seqlen) lengths.set(ev, 'the evaluation window');
  for (const [T, what] of lengths) {
    const scores = 4 * H * T * T;
    if (scores > limit) out.push(`attention scores [${H}, ${T}, ${T}] = ${MiB(scores)}: lower ${what} to ${maxSeqFor(H, limit)} or less`);
    const widest = 4 * T * Math.max(F, H * D, C);
    if (widest > limit)
      out.push(
        `activations [${T}, ${Math.max(F, H * D, C)}] = ${MiB(widest)}: lower ${what} to ${Math.floor(limit / (4 * Math.max(F, H * D, C)))} or less`,
      );
  }
  return out;
}

/** Throw AdapterLimitError naming every buffer of the run that the adapter cannot bind. */
export function checkAdapterLimits(spec: ModelSpec, run: RunShape, limits: BufferLimits, adapter: string): void {
  const problems = adapterLimitProblems(spec, run, limits);
  if (problems.length === 0) return;
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  throw new AdapterLimitError(
    `this run needs GPU buffers larger than ${adapter} can bind (${MiB(limit)} per buffer): ${problems.join('; ')}. Nothing was run.`,
  );
}
