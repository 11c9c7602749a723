// Atomic folder export for the CLI (docs/reliability.md): every file is first written under a
// `.partial` name, and only when all of them are on disk are they renamed to their real names, the
// weights file last. A run killed or failing mid-export therefore leaves `.partial` files (removed on
// failure when the process is still alive) but never a truncated model.safetensors that a loader would
// take for a model; the run's checkpoint is cleared only after this returns.
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type FileWriter = (path: string, bytes: Uint8Array) => Promise<void>;

const PARTIAL = '.partial';
/** Weight files go last: a folder with model.safetensors in it is complete. */
const isWeights = (name: string) => name.endsWith('.safetensors') || name.endsWith('.bin');

/** Write `files` into the existing folder `dir` atomically per folder (see above). */
export async function writeFilesAtomically(dir: string, files: Record<string, Uint8Array>, write: FileWriter = writeFile): Promise<void> {
  const names = Object.keys(files).sort((a, b) => Number(isWeights(a)) - Number(isWeights(b)));
  const written: string[] = [];
  try {
    for (const n of names) {
      written.push(n);
      await write(join(dir, n + PARTIAL), files[n]);
    }
  } catch (e) {
    await Promise.all(written.map((n) => rm(join(dir, n + PARTIAL), { force: true })));
    throw e;
  }
  for (const n of names) await rename(join(dir, n + PARTIAL), join(dir, n));
}
