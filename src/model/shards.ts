// Sharded HF checkpoints: `model.safetensors.index.json` = { metadata?: {...}, weight_map: { tensor: shardFile } }.
// The index is validated, each shard is parsed by parseSafetensors, and every tensor the index names
// must be found in the shard it names (otherwise MissingTensorError naming both).

import type { WeightArray } from './weightArray';
import { CorruptFileError, MissingTensorError } from './errors';
import type { SafetensorsFile, TensorInfo, TensorStore } from './safetensors';

export const SHARD_INDEX_NAME = 'model.safetensors.index.json';

export interface ShardIndex {
  weightMap: Record<string, string>;
  /** Distinct shard file names, sorted. */
  files: string[];
}

export function parseShardIndex(bytes: Uint8Array, file = SHARD_INDEX_NAME): ShardIndex {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new CorruptFileError(file, `not valid JSON (${(e as Error).message})`);
  }
  const wm = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof wm !== 'object' || wm === null || Array.isArray(wm))
    throw new CorruptFileError(file, 'has no "weight_map" object', 'Use the index.json written together with the shards.');
  const weightMap: Record<string, string> = {};
  for (const [k, v] of Object.entries(wm)) {
    // Shard names are plain file names in the same folder; refuse paths so a URL/dir source cannot escape.
    if (typeof v !== 'string' || v === '' || v.includes('/') || v.includes('\\') || v.startsWith('.'))
      throw new CorruptFileError(file, `weight_map["${k}"] is not a shard file name`);
    weightMap[k] = v;
  }
  if (Object.keys(weightMap).length === 0) throw new CorruptFileError(file, 'weight_map is empty');
  return { weightMap, files: [...new Set(Object.values(weightMap))].sort() };
}

/** A TensorStore over several shards, routed by the index's weight_map. */
export class ShardedTensors implements TensorStore {
  private readonly byName = new Map<string, SafetensorsFile>();

  constructor(index: ShardIndex, shards: ReadonlyMap<string, SafetensorsFile>, indexFile = SHARD_INDEX_NAME) {
    for (const [name, shardName] of Object.entries(index.weightMap)) {
      const shard = shards.get(shardName);
      if (!shard || !shard.has(name))
        throw new MissingTensorError(
          shardName,
          name,
          `${indexFile} says it is in ${shardName}; the shard is incomplete or from another checkpoint.`,
        );
      this.byName.set(name, shard);
    }
  }
  names(): string[] {
    return [...this.byName.keys()];
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  private shard(name: string): SafetensorsFile {
    const s = this.byName.get(name);
    if (!s) throw new MissingTensorError(SHARD_INDEX_NAME, name);
    return s;
  }
  info(name: string): TensorInfo {
    return this.shard(name).info(name);
  }
  f32(name: string): Float32Array {
    return this.shard(name).f32(name);
  }
  stored(name: string): WeightArray {
    return this.shard(name).stored(name);
  }
  ints(name: string): number[] {
    return this.shard(name).ints(name);
  }
  fileOf(name: string): string {
    return this.byName.get(name)?.file ?? SHARD_INDEX_NAME;
  }
}
