// A [V, C] vocabulary matrix (token embedding or LM head) on the GPU, split into row chunks so that
// every chunk fits maxStorageBufferBindingSize (128 MiB on lavapipe: a 32000 × 4096 f32 table is
// 500 MiB). The embedding gather (kernels/embedding.ts) and the LM head (kernels/lmHead.ts) walk
// the chunks; with tied embeddings the same table serves both.
import { sliceToF32, type WeightArray } from '../model/weightArray';
import { ShapeError } from './errors';
import type { GpuRuntime } from './runtime';

export interface VocabChunk {
  buffer: GPUBuffer; // [rows, C]
  v0: number; // first vocabulary id in this chunk
  rows: number;
}

export interface VocabTable {
  V: number;
  C: number;
  chunks: VocabChunk[];
}

/** Largest number of C-wide f32 rows one binding may hold on this device. */
export function maxRowsPerBinding(rt: GpuRuntime, C: number): number {
  const limit = Math.min(rt.caps.limits.maxStorageBufferBindingSize, rt.caps.limits.maxBufferSize);
  return Math.floor(limit / (4 * C));
}

/** Upload data [V, C] in chunks of at most maxRows rows (default: as many as one binding holds); 16-bit data is widened per chunk. */
export function uploadVocabTable(rt: GpuRuntime, data: WeightArray, V: number, C: number, label: string, maxRows?: number): VocabTable {
  if (data.length !== V * C) throw new ShapeError(`vocab table "${label}" has ${data.length} values, expected V·C = ${V}·${C}.`);
  const rows = Math.min(V, maxRows ?? maxRowsPerBinding(rt, C));
  if (!Number.isInteger(rows) || rows < 1)
    throw new ShapeError(`vocab table "${label}": chunk rows must be a positive integer, got ${rows}.`);
  const chunks: VocabChunk[] = [];
  for (let v0 = 0; v0 < V; v0 += rows) {
    const n = Math.min(rows, V - v0);
    chunks.push({ buffer: rt.upload(sliceToF32(data, v0 * C, (v0 + n) * C), `${label}[${v0}:${v0 + n}]`), v0, rows: n });
  }
  return { V, C, chunks };
}

export function destroyVocabTable(rt: GpuRuntime, t: VocabTable): void {
  rt.flush(); // buffers may only be destroyed after the commands using them are submitted
  rt.destroy(...t.chunks.map((c) => c.buffer));
}
