// Models from a Hugging Face hub (docs/real-models.md §6): a model id ("HuggingFaceTB/SmolLM2-135M"), a
// model page URL, a ".../resolve/<revision>/" URL, or the same layout under any base URL (a mirror, or the
// tests' local server). Files are listed with the hub API (GET <base>/api/models/<repo>/revision/<rev>,
// whose "siblings" name every file) or, where there is no API, by probing the standard names; each file
// is downloaded from <base>/<repo>/resolve/<rev>/<file> with progress, continued with a Range request
// when the connection breaks, and kept in a cache so that the next load reads no network at all.
import { MissingFileError, ModelLoadError } from './errors';
import { STANDARD_MODEL_FILES, type FileSource } from './sources';

export const DEFAULT_HUB = 'https://huggingface.co';

export interface HubRef {
  /** Origin plus any path prefix before owner/name, no trailing slash. */
  base: string;
  repo: string; // owner/name
  revision: string;
}

export class HubInputError extends ModelLoadError {
  override name = 'HubInputError';
  constructor(input: string, why: string) {
    super(
      '',
      `"${input}" is not a model on a hub: ${why}. Give an id like HuggingFaceTB/SmolLM2-135M or a URL like https://huggingface.co/HuggingFaceTB/SmolLM2-135M.`,
    );
  }
}

export class HubDownloadError extends ModelLoadError {
  override name = 'HubDownloadError';
}

const NAME = /^[A-Za-z0-9][\w.-]*$/;

/** True when `input` looks like a hub id or an http(s) URL (not a local path). */
export function looksLikeHubInput(input: string): boolean {
  return /^https?:\/\//.test(input) || /^hf:/.test(input) || /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/.test(input);
}

/** Parse an id or URL into where the files are. `hf:owner/name` is accepted too. */
export function parseHubInput(input: string, defaultBase = DEFAULT_HUB): HubRef {
  const s = input.trim().replace(/^hf:/, '');
  if (!/^https?:\/\//.test(s)) {
    const [owner, name, ...rest] = s.split('/');
    if (rest.length || !owner || !name || !NAME.test(owner) || !NAME.test(name)) throw new HubInputError(input, 'an id is owner/name');
    return { base: defaultBase, repo: `${owner}/${name}`, revision: 'main' };
  }
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new HubInputError(input, 'the URL does not parse');
  }
  const segs = url.pathname.split('/').filter(Boolean);
  const k = segs.findIndex((p) => p === 'resolve' || p === 'tree' || p === 'blob');
  const end = k >= 0 ? k : segs.length;
  if (end < 2) throw new HubInputError(input, 'the URL has no owner/name in its path');
  const [owner, name] = segs.slice(end - 2, end);
  if (!NAME.test(owner) || !NAME.test(name)) throw new HubInputError(input, `"${owner}/${name}" is not an owner/name pair`);
  const prefix = segs.slice(0, end - 2).join('/');
  return {
    base: url.origin + (prefix ? `/${prefix}` : ''),
    repo: `${owner}/${name}`,
    revision: k >= 0 && segs[k + 1] ? segs[k + 1] : 'main',
  };
}

export const fileUrl = (r: HubRef, file: string): string => `${r.base}/${r.repo}/resolve/${encodeURIComponent(r.revision)}/${file}`;

/** Where downloaded files are kept between loads (Cache Storage in the browser, a folder in Node). */
export interface HubCache {
  get(url: string): Promise<Uint8Array | null>;
  /** `bytes` may be a view into a larger download buffer: store a copy (Cache Storage and files do). */
  put(url: string, bytes: Uint8Array): Promise<void>;
  delete?(url: string): Promise<void>;
}

/** Key of part k of a download in progress (kept so that a reload continues where it stopped). */
export const partKey = (url: string, k: number): string => `${url}.part${k}`;

export interface HubProgress {
  file: string;
  loaded: number;
  total: number | null;
  /** True when the file came from the cache (no download). */
  cached?: boolean;
}

export interface HubOptions {
  fetch?: typeof fetch;
  cache?: HubCache;
  onProgress?: (p: HubProgress) => void;
  /** How many times a broken download is continued (Range request) before it fails; default 3. */
  retries?: number;
  signal?: AbortSignal;
  /** Keep every complete part of this many bytes of a download in the cache (default 64 MiB). */
  partBytes?: number;
}

/** Total size from a 206's Content-Range ("bytes 100-199/1000") or a 200's Content-Length. */
function totalOf(res: Response, from: number): number | null {
  const range = /\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
  if (range) return Number(range[1]);
  const len = res.headers.get('content-length');
  return len !== null && /^\d+$/.test(len) ? from + Number(len) : null;
}

/** GET `url` into memory; a connection that breaks is continued from the last byte received. */
export async function downloadWithResume(url: string, file: string, opts: HubOptions = {}): Promise<Uint8Array> {
  const f = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const retries = opts.retries ?? 3;
  const cache = opts.cache;
  const partBytes = opts.partBytes ?? 64 << 20;
  // Parts kept by an earlier, interrupted load of this file (a reload, a closed tab) are not fetched again.
  const saved: Uint8Array[] = [];
  for (
    let p = cache ? await cache.get(partKey(url, 0)) : null;
    p && p.length === partBytes;
    p = await cache!.get(partKey(url, saved.length))
  )
    saved.push(p);
  let buf = new Uint8Array(saved.length * partBytes);
  saved.forEach((p, k) => buf.set(p, k * partBytes));
  let got = buf.length;
  let nextPart = saved.length;
  let total: number | null = null;
  const keepParts = async () => {
    for (; cache && (nextPart + 1) * partBytes <= got; nextPart++)
      // a view, not a copy: the cache stores its own copy, so a 64 MiB part costs no extra 64 MiB here
      await cache.put(partKey(url, nextPart), buf.subarray(nextPart * partBytes, (nextPart + 1) * partBytes));
  };
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await f(url, { signal: opts.signal, headers: got > 0 ? { Range: `bytes=${got}-` } : {} });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      if (attempt < retries) continue;
      throw new HubDownloadError(url, `the request failed (${(e as Error).message}); check the connection and try again`);
    }
    if (res.status === 404)
      throw new MissingFileError(
        url,
        'The hub has no such file (check the model id and revision; private models need a token, which is not supported).',
      );
    if (!res.ok) throw new HubDownloadError(url, `the server answered ${res.status} ${res.statusText}; try again later`);
    if (got > 0 && res.status !== 206) got = nextPart = 0; // the server ignored the Range header: start over
    total = totalOf(res, got) ?? total;
    if (total !== null && buf.length < total) {
      const bigger = new Uint8Array(total); // one allocation of the final size: no copies while streaming
      bigger.set(buf.subarray(0, got));
      buf = bigger;
    }
    const reader = res.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (got + value.length > buf.length) {
          const bigger = new Uint8Array(Math.max(2 * buf.length, got + value.length));
          bigger.set(buf.subarray(0, got));
          buf = bigger;
        }
        buf.set(value, got);
        got += value.length;
        opts.onProgress?.({ file, loaded: got, total });
        await keepParts();
      }
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      if (attempt < retries) continue; // continue from `got` with a Range request
      throw new HubDownloadError(url, `the download broke after ${got} of ${total ?? '?'} bytes, ${retries + 1} times; try again`);
    }
    if (total !== null && got < total) {
      if (attempt < retries) continue;
      throw new HubDownloadError(url, `the download ended after ${got} of ${total} bytes; try again`);
    }
    if (cache?.delete) for (let k = 0; k < nextPart; k++) await cache.delete(partKey(url, k));
    return buf.length === got ? buf : buf.subarray(0, got);
  }
}

/** The files of a revision, and the commit it points at now when the hub's API says (40 hex digits). */
interface Listing {
  names: string[];
  commit: string | null;
}

async function listFiles(r: HubRef, f: typeof fetch): Promise<Listing> {
  try {
    const res = await f(`${r.base}/api/models/${r.repo}/revision/${encodeURIComponent(r.revision)}`);
    if (res.ok) {
      const info = (await res.json()) as { sha?: unknown; siblings?: { rfilename?: unknown }[] };
      const names = (info.siblings ?? []).map((s) => s.rfilename).filter((n): n is string => typeof n === 'string' && !n.includes('/'));
      const commit = typeof info.sha === 'string' && /^[0-9a-f]{40}$/.test(info.sha) ? info.sha : null;
      if (names.length) return { names, commit };
    }
  } catch {
    // no API here (a static mirror): probe the standard names below
  }
  const found = (
    await Promise.all(
      STANDARD_MODEL_FILES.map(async (n) => {
        try {
          return (await f(fileUrl(r, n), { method: 'HEAD' })).ok ? n : null;
        } catch {
          return null;
        }
      }),
    )
  ).filter((n): n is string => n !== null);
  if (!found.length)
    throw new MissingFileError(
      `${r.base}/${r.repo}`,
      `The hub has no public model ${r.repo} at revision ${r.revision} (check the id; private and gated models are not supported).`,
    );
  return { names: found, commit: null };
}

/**
 * A FileSource over a hub repository: listed once, every file downloaded once and cached. When the API
 * names the commit a branch such as `main` points at, the files are fetched and cached under that commit
 * (`/resolve/<sha>/`): a branch that moved is downloaded again, an unchanged one comes from the cache.
 */
export function hubSource(ref: HubRef, opts: HubOptions = {}): FileSource {
  const f = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  let listed: Promise<Listing> | null = null;
  const listing = () => (listed ??= listFiles(ref, f));
  return {
    name: ref.repo,
    list: async () => (await listing()).names,
    read: async (file) => {
      const { commit } = await listing();
      const url = fileUrl(commit ? { ...ref, revision: commit } : ref, file);
      const hit = await opts.cache?.get(url);
      if (hit) {
        opts.onProgress?.({ file, loaded: hit.length, total: hit.length, cached: true });
        return hit;
      }
      const bytes = await downloadWithResume(url, file, { ...opts, fetch: f });
      await opts.cache?.put(url, bytes);
      return bytes;
    },
  };
}
