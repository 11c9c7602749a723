// Wrapper for shaders/embedding.wgsl: x [T, C] = table[ids], one dispatch per vocabulary chunk.
import { ShapeError } from '../errors';
import type { GpuRuntime } from '../runtime';
import type { VocabTable } from '../vocabTable';
import { embeddingKernel } from './descriptors';

/**
 * Gather rows of `table` for ids [T] (u32 buffer; ids must be < V, the caller checks them on the
 * CPU where they come from). Returns (or fills `out`) x [T, C].
 */
export function embeddingGather(
  rt: GpuRuntime,
  ids: GPUBuffer /*[T] u32*/,
  table: VocabTable,
  T: number,
  out?: GPUBuffer /*[T,C]*/,
): GPUBuffer {
  const { C } = table;
  if (!Number.isInteger(T) || T <= 0) throw new ShapeError(`embedding: T must be a positive integer, got ${T}.`);
  if (ids.size < T * 4) throw new ShapeError(`embedding: ids ("${ids.label}") holds ${ids.size / 4} ids, needs T=${T}.`);
  if (T > rt.caps.limits.maxComputeWorkgroupsPerDimension)
    throw new ShapeError(`embedding: T=${T} is too long for one dispatch; use a shorter sequence.`);
  const x = out ?? rt.createBuffer(T * C * 4, 'embed.x');
  if (x.size < T * C * 4) throw new ShapeError(`embedding: out ("${x.label}") holds ${x.size / 4} floats, needs T·C = ${T * C}.`);
  const wg = embeddingKernel.workgroupSize.WG;
  for (const ch of table.chunks) {
    rt.run(embeddingKernel, 'main', {
      params: { T, C, v0: ch.v0, rows: ch.rows },
      buffers: { ids, table: ch.buffer, out: x },
      workgroups: [Math.ceil(C / wg), T],
    });
  }
  return x;
}
