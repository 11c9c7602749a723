// Node-only FileSources (CLI, tests). Browser code imports sources.ts instead.

import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MissingFileError } from './errors';
import type { FileSource } from './sources';

/** A model folder on disk. */
export function nodeDirSource(dir: string): FileSource {
  return {
    name: basename(dir),
    list: async () => {
      try {
        const ents = await readdir(dir, { withFileTypes: true });
        return ents.filter((e) => e.isFile()).map((e) => e.name);
      } catch (e) {
        throw new MissingFileError(dir, `Cannot list the folder (${(e as Error).message}); check the path.`);
      }
    },
    read: async (name) => {
      try {
        const b = await readFile(join(dir, name)); // a view of the Buffer, not a copy (a checkpoint can be GBs)
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch (e) {
        throw new MissingFileError(join(dir, name), `Cannot read it (${(e as Error).message}).`);
      }
    },
    // Natively over the bytes read already: a second pass through a read stream left tens of MiB of
    // freed 64 KiB chunks in the process at the load's peak (docs/real-models.md §2).
    sha256: async (_name, bytes) => createHash('sha256').update(bytes).digest('hex'),
  };
}

const isOtherCheckpoint = (f: string) => f.endsWith('.safetensors') || (f.endsWith('.bin') && f !== 'tokenizer.bin');

/**
 * A single checkpoint file (e.g. stories15M.bin or model.safetensors): the file itself plus its
 * siblings (tokenizer.bin, config.json...), with the picked file listed first so the loader uses it.
 */
export async function nodeFileSource(path: string): Promise<FileSource> {
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a file');
  } catch (e) {
    throw new MissingFileError(path, `Cannot open it (${(e as Error).message}); check the path.`);
  }
  const dir = nodeDirSource(dirname(path));
  const self = basename(path);
  return {
    name: self,
    // The other checkpoints in the folder are left out: the user picked this one.
    list: async () => [self, ...(await dir.list()).filter((f) => f !== self && !isOtherCheckpoint(f))],
    read: dir.read,
    sha256: dir.sha256,
  };
}
