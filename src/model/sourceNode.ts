// Node-only FileSources (CLI, tests). Browser code imports sources.ts instead.

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
        return new Uint8Array(await readFile(join(dir, name)));
      } catch (e) {
        throw new MissingFileError(join(dir, name), `Cannot read it (${(e as Error).message}).`);
      }
    },
  };
}

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
    list: async () => [self, ...(await dir.list()).filter((f) => f !== self)],
    read: dir.read,
  };
}
