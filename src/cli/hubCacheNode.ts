// The hub cache on disk for the CLI (docs/real-models.md §6): one file per URL under
// $BESA_HUB_CACHE (default ~/.cache/besa-studio/hub)/<host>/<owner>/<name>/<revision>/<file>,
// written as .partial and renamed, so an interrupted write is never taken for a complete file.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HubCache } from '../model/hub';

export function defaultHubCacheDir(): string {
  return process.env.BESA_HUB_CACHE ?? join(homedir(), '.cache', 'besa-studio', 'hub');
}

/** `<host>/<path after the host>` with "resolve/" dropped; every part is a plain URL segment. */
function pathFor(root: string, url: string): string {
  const u = new URL(url);
  const parts = u.pathname.split('/').filter((p) => p && p !== 'resolve' && p !== '..' && p !== '.');
  return join(root, u.host.replace(/[^\w.-]/g, '_'), ...parts.map((p) => decodeURIComponent(p).replace(/[^\w.-]/g, '_')));
}

export function nodeHubCache(root = defaultHubCacheDir()): HubCache {
  return {
    get: async (url) => {
      try {
        const b = await readFile(pathFor(root, url));
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      } catch {
        return null;
      }
    },
    put: async (url, bytes) => {
      const p = pathFor(root, url);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(`${p}.partial`, bytes);
      await rename(`${p}.partial`, p);
    },
    delete: (url) => rm(pathFor(root, url), { force: true }),
  };
}
