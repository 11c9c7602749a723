// FileSource: where model files come from, independent of the platform. Browser: File objects
// (a folder picked with <input webkitdirectory> or dropped files) or fetch() from a URL base.
// Node: sourceNode.ts (kept separate so browser bundles never import node:fs). Tests: memorySource.

import { MissingFileError } from './errors';

export interface FileSource {
  /** Display name (folder name, file name or URL base). */
  readonly name: string;
  /** File names directly available (plain names, no folders). */
  list(): Promise<string[]>;
  /** Whole file; throws MissingFileError when absent. */
  read(name: string): Promise<Uint8Array>;
  /**
   * Hex SHA-256 of a file whose bytes the loader already holds, where the platform hashes faster than the
   * loader's in-place JS hash (Node: natively over those bytes, so the file is not read a second time).
   */
  sha256?(name: string, bytes: Uint8Array): Promise<string>;
}

const baseName = (p: string) => p.slice(p.replace(/\\/g, '/').lastIndexOf('/') + 1);

export function memorySource(name: string, files: Record<string, Uint8Array>): FileSource {
  return {
    name,
    list: async () => Object.keys(files),
    read: async (f) => {
      const b = files[f];
      if (!b) throw new MissingFileError(f, `It is not among [${Object.keys(files).join(', ')}].`);
      return b;
    },
  };
}

/** Browser File objects (also works in Node 20, which has File). Folders are flattened to base names. */
export function browserFilesSource(files: readonly File[], name?: string): FileSource {
  const byName = new Map(files.map((f) => [baseName(f.name), f]));
  const rel = (files[0] as (File & { webkitRelativePath?: string }) | undefined)?.webkitRelativePath;
  return {
    name: name ?? (rel ? rel.split('/')[0] : files.length === 1 ? files[0].name : 'selected files'),
    list: async () => [...byName.keys()],
    read: async (f) => {
      const file = byName.get(f);
      if (!file) throw new MissingFileError(f, `Add it to the selection (selected: ${[...byName.keys()].join(', ')}).`);
      return new Uint8Array(await file.arrayBuffer());
    },
  };
}

/** Files the loader looks for when a URL base cannot be listed. */
export const STANDARD_MODEL_FILES = [
  'config.json',
  'model.safetensors',
  'model.safetensors.index.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'model.bin',
  'tokenizer.bin',
];

/**
 * fetch() from a URL base (e.g. '/models/sotu-llama/'). A URL base cannot be listed, so `files`
 * names what is there; without it, list() probes STANDARD_MODEL_FILES with HEAD requests.
 */
export function urlSource(base: string, files?: readonly string[], fetchImpl: typeof fetch = (...a) => fetch(...a)): FileSource {
  const root = base.endsWith('/') ? base : base + '/';
  let listed: Promise<string[]> | null = files ? Promise.resolve([...files]) : null;
  return {
    // the folder's own name ("micro" for /models/micro/), as a person would call the model, not its path
    name: decodeURIComponent(root.split('/').filter(Boolean).pop() ?? root),
    list: () =>
      (listed ??= Promise.all(
        STANDARD_MODEL_FILES.map(async (f) => {
          try {
            return (await fetchImpl(root + f, { method: 'HEAD' })).ok ? f : null;
          } catch {
            return null;
          }
        }),
      ).then((r) => r.filter((f): f is string => f !== null))),
    read: async (f) => {
      let res: Response;
      try {
        res = await fetchImpl(root + f);
      } catch (e) {
        throw new MissingFileError(root + f, `The request failed (${(e as Error).message}); check the URL and your connection.`);
      }
      if (!res.ok) throw new MissingFileError(root + f, `The server answered ${res.status}; check the URL.`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}
