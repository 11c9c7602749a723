// The hub cache in the browser (docs/real-models.md §6): Cache Storage, one entry per file URL, so a
// reload does not download a model again. A failed put (quota) only costs the next load a download.
import type { HubCache } from '../model/hub';

const CACHE_NAME = 'besa-hub-v1';

export function cacheStorageHubCache(): HubCache | undefined {
  if (typeof caches === 'undefined') return undefined; // not a secure context: no cache, every load downloads
  return {
    get: async (url) => {
      const hit = await (await caches.open(CACHE_NAME)).match(url);
      return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
    },
    put: async (url, bytes) => {
      try {
        await (await caches.open(CACHE_NAME)).put(url, new Response(bytes as Uint8Array<ArrayBuffer>));
      } catch {
        /* over quota: keep going without caching this file */
      }
    },
    delete: async (url) => void (await (await caches.open(CACHE_NAME)).delete(url)),
  };
}
