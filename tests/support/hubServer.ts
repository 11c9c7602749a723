// A local stand-in for the Hugging Face hub (tests never reach the network): serves model folders as
//   GET  /api/models/<owner>/<name>/revision/main   {"sha"?: commit, "siblings": [{"rfilename": ...}]}  (unless noApi)
//   GET  /<owner>/<name>/resolve/main|<commit>/<file> with Range support (206 + Content-Range)
// and can cut a file's first response after `cutAfter` bytes, to test resuming. Counts every request.
// Used by the unit tests (Node) and by e2e/ (the Playwright web server starts it with --serve).
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface HubServerOptions {
  /** owner/name → a folder of model files. */
  repos: Record<string, string>;
  /** Cut the first GET of this file after this many bytes (the connection is destroyed). */
  cut?: { file: string; after: number };
  /** Answer 404 on the API route, like a static mirror. */
  noApi?: boolean;
  port?: number;
  /** owner/name → the commit `main` points at (the API's "sha"); change it to move the branch. */
  commits?: Record<string, string>;
}

export interface HubServer {
  url: string;
  requests: { method: string; path: string; range: string | null }[];
  close(): Promise<void>;
}

export async function startHubServer(o: HubServerOptions): Promise<HubServer> {
  const requests: HubServer['requests'] = [];
  let cutDone = false;
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requests.push({ method: req.method ?? 'GET', path, range: (req.headers.range as string | undefined) ?? null });
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/main$/.exec(path);
    if (api) {
      const dir = o.repos[api[1]];
      if (o.noApi || !dir) return void res.writeHead(404).end('{"error":"Repository not found"}');
      const siblings = readdirSync(dir).map((rfilename) => ({ rfilename }));
      const sha = o.commits?.[api[1]];
      return void res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ id: api[1], ...(sha ? { sha } : {}), siblings }));
    }
    const match = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/([^/]+)$/.exec(path);
    // main, or the commit main points at now (an older commit is gone here: 404)
    const file = match && (match[2] === 'main' || match[2] === o.commits?.[match[1]]) ? [match[0], match[1], match[3]] : null;
    const dir = file ? o.repos[file[1]] : undefined;
    let size = 0;
    try {
      size = dir ? statSync(join(dir, file![2])).size : -1;
    } catch {
      size = -1;
    }
    if (!file || size < 0) return void res.writeHead(404).end('Entry not found');
    const m = /^bytes=(\d+)-$/.exec((req.headers.range as string | undefined) ?? '');
    const from = m ? Number(m[1]) : 0;
    const head = { 'Content-Length': String(size - from), 'Accept-Ranges': 'bytes' };
    if (req.method === 'HEAD') return void res.writeHead(200, head).end();
    const bytes = readFileSync(join(dir!, file[2])).subarray(from);
    res.writeHead(m ? 206 : 200, m ? { ...head, 'Content-Range': `bytes ${from}-${size - 1}/${size}` } : head);
    if (o.cut && !cutDone && file[2] === o.cut.file && !m) {
      cutDone = true;
      res.write(bytes.subarray(0, o.cut.after), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(bytes);
  });
  await new Promise<void>((r) => server.listen(o.port ?? 0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
