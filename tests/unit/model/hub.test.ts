// Loading from a hub (src/model/hub.ts, docs/real-models.md §6) against a local hub-like server
// (tests/support/hubServer.ts; tests never reach the network): ids and URLs parse to the same place,
// a synthetic SmolLM2-shape model downloads with progress, a connection cut mid-file is continued with
// a Range request (not started over), the result equals loading the folder from disk, and the second
// load reads only the cache. A static mirror without the API is listed by probing; a missing repo and
// bad input are named errors.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticCheckpoint } from '../../../src/cli/synthetic';
import { MissingFileError } from '../../../src/model/errors';
import { hubSource, HubInputError, looksLikeHubInput, parseHubInput, type HubCache, type HubProgress } from '../../../src/model/hub';
import { loadModel } from '../../../src/model/loader';
import { nodeDirSource } from '../../../src/model/sourceNode';
import { startHubServer, type HubServer } from '../../support/hubServer';
import { ROOT } from '../prune/engineFixture';

const tmp = mkdtempSync(join(tmpdir(), 'besa-hub-'));
const dir = join(tmp, 'smollm2');
let hub: HubServer;
beforeAll(async () => {
  await writeSyntheticCheckpoint(dir, 'smollm2-135m', { layers: 1 });
  hub = await startHubServer({ repos: { 'HuggingFaceTB/SmolLM2-135M': dir }, cut: { file: 'model.safetensors', after: 5_000_000 } });
});
afterAll(async () => {
  await hub.close();
  rmSync(tmp, { recursive: true, force: true });
});

const memoryCache = (): HubCache & { map: Map<string, Uint8Array> } => {
  const map = new Map<string, Uint8Array>();
  return {
    map,
    get: async (u) => map.get(u) ?? null,
    put: async (u, b) => void map.set(u, b.slice()),
    delete: async (u) => void map.delete(u),
  };
};

describe('models from a hub', () => {
  it('ids, model pages, resolve URLs and mirror bases parse to base + repo + revision', () => {
    const id = { base: 'https://huggingface.co', repo: 'HuggingFaceTB/SmolLM2-135M', revision: 'main' };
    expect(parseHubInput('HuggingFaceTB/SmolLM2-135M')).toEqual(id);
    expect(parseHubInput('hf:HuggingFaceTB/SmolLM2-135M')).toEqual(id);
    expect(parseHubInput('https://huggingface.co/HuggingFaceTB/SmolLM2-135M')).toEqual(id);
    expect(parseHubInput('https://huggingface.co/HuggingFaceTB/SmolLM2-135M/resolve/main/config.json')).toEqual(id);
    expect(parseHubInput('https://huggingface.co/Qwen/Qwen2.5-0.5B/tree/v2')).toEqual({
      base: 'https://huggingface.co',
      repo: 'Qwen/Qwen2.5-0.5B',
      revision: 'v2',
    });
    expect(parseHubInput('http://127.0.0.1:8080/mirror/Qwen/Qwen2.5-0.5B/resolve/main/')).toEqual({
      base: 'http://127.0.0.1:8080/mirror',
      repo: 'Qwen/Qwen2.5-0.5B',
      revision: 'main',
    });
    expect(() => parseHubInput('just-a-name')).toThrow(HubInputError);
    expect(() => parseHubInput('https://huggingface.co/')).toThrow(/no owner\/name/);
    expect(looksLikeHubInput('HuggingFaceTB/SmolLM2-135M')).toBe(true);
    expect(looksLikeHubInput('./public/models/micro')).toBe(false);
    expect(looksLikeHubInput('/abs/path/model')).toBe(false);
  });

  it('downloads with progress, continues a cut connection with a Range request, equals the folder, then loads from the cache alone', async () => {
    const cache = memoryCache();
    const progress: HubProgress[] = [];
    const ref = parseHubInput(`${hub.url}/HuggingFaceTB/SmolLM2-135M`);
    const m = await loadModel(hubSource(ref, { cache, onProgress: (p) => progress.push(p) }));
    const local = await loadModel(nodeDirSource(dir));
    expect(m.weightsSha256).toBe(local.weightsSha256);
    expect(m.spec).toEqual(local.spec);
    const weightGets = hub.requests.filter((r) => r.path.endsWith('/model.safetensors') && r.method === 'GET');
    expect(weightGets.map((r) => r.range)).toEqual([null, 'bytes=5000000-']); // resumed, not restarted
    const w = progress.filter((p) => p.file === 'model.safetensors');
    expect(w.every((p, i) => i === 0 || p.loaded >= w[i - 1].loaded)).toBe(true);
    expect(w.at(-1)).toMatchObject({ loaded: w.at(-1)!.total });
    const before = hub.requests.length;
    const again = await loadModel(hubSource(ref, { cache }));
    expect(again.weightsSha256).toBe(m.weightsSha256);
    expect(hub.requests.slice(before).filter((r) => r.path.includes('/resolve/'))).toEqual([]); // only the listing
  });

  it('a download stopped part way (a reload, a closed tab) continues from its last kept part on the next load', async () => {
    const cache = memoryCache();
    const ref = parseHubInput(`${hub.url}/HuggingFaceTB/SmolLM2-135M`);
    const ac = new AbortController();
    const stopAt = 2.5 * 2 ** 20;
    const first = loadModel(
      hubSource(ref, {
        cache,
        partBytes: 2 ** 20,
        signal: ac.signal,
        onProgress: (p) => p.file === 'model.safetensors' && p.loaded > stopAt && ac.abort(),
      }),
    );
    await expect(first).rejects.toThrow();
    expect([...cache.map.keys()].filter((k) => /model\.safetensors\.part\d$/.test(k))).toHaveLength(2);
    const before = hub.requests.length;
    const m = await loadModel(hubSource(ref, { cache, partBytes: 2 ** 20 }));
    expect(m.weightsSha256).toBe((await loadModel(nodeDirSource(dir))).weightsSha256);
    const gets = hub.requests.slice(before).filter((r) => r.path.endsWith('/model.safetensors'));
    expect(gets.map((r) => r.range)).toEqual([`bytes=${2 * 2 ** 20}-`]); // two parts kept, not fetched again
    expect([...cache.map.keys()].some((k) => k.includes('.part'))).toBe(false); // parts dropped once complete
  });

  it('npm run prune --model <hub URL>: downloads into the hub cache, prunes, and exports with the tokenizer; a rerun downloads nothing', async () => {
    const cacheDir = join(tmp, 'cache');
    const run = (out: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const args = ['src/cli/prune.ts', '--model', `${hub.url}/HuggingFaceTB/SmolLM2-135M`, '--method', 'magnitude', '--eval', 'none'];
        const p = spawn(
          join(ROOT, 'node_modules/.bin/tsx'),
          [...args, '--samples', '1', '--seqlen', '16', '--engine', 'wasm', '--out', out],
          {
            cwd: ROOT,
            env: { ...process.env, BESA_HUB_CACHE: cacheDir },
          },
        );
        let stderr = '';
        p.stderr.on('data', (d) => (stderr += d));
        p.on('close', (code) => resolve({ code, stderr }));
      });
    const r = await run(join(tmp, 'out1'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/downloading model\.safetensors 100 %/);
    expect(
      existsSync(join(cacheDir, hub.url.replace('http://', '').replace(':', '_'), 'HuggingFaceTB/SmolLM2-135M/main/model.safetensors')),
    ).toBe(true);
    expect(readFileSync(join(tmp, 'out1', 'tokenizer.json'))).toEqual(readFileSync(join(dir, 'tokenizer.json')));
    const before = hub.requests.length;
    const again = await run(join(tmp, 'out2'));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/cached model\.safetensors/);
    expect(hub.requests.slice(before).filter((q) => q.path.includes('/resolve/'))).toEqual([]);
  });

  it('files are cached under the commit the branch points at: unchanged, nothing is downloaded; moved, it is fetched again', async () => {
    const repoDir = join(tmp, 'moving');
    await writeSyntheticCheckpoint(repoDir, 'smollm2-135m', { layers: 1 });
    const commits = { 'owner/moving': 'a'.repeat(40) };
    const server = await startHubServer({ repos: { 'owner/moving': repoDir }, commits });
    try {
      const cache = memoryCache();
      const ref = parseHubInput(`${server.url}/owner/moving`);
      const first = await loadModel(hubSource(ref, { cache }));
      const gets = (from: number) => server.requests.slice(from).filter((r) => r.method === 'GET' && r.path.includes('/resolve/'));
      expect(gets(0).every((r) => r.path.includes(`/resolve/${'a'.repeat(40)}/`))).toBe(true); // pinned to the commit
      let mark = server.requests.length;
      await loadModel(hubSource(ref, { cache }));
      expect(gets(mark)).toEqual([]); // same commit: all from the cache
      // main moves to a new commit with other weights: the next load sees them
      await writeSyntheticCheckpoint(repoDir, 'smollm2-135m', { layers: 1, seed: 99 });
      commits['owner/moving'] = 'b'.repeat(40);
      mark = server.requests.length;
      const moved = await loadModel(hubSource(ref, { cache }));
      expect(
        gets(mark)
          .map((r) => r.path.split('/').pop())
          .sort(),
      ).toContain('model.safetensors');
      expect(gets(mark).every((r) => r.path.includes(`/resolve/${'b'.repeat(40)}/`))).toBe(true);
      expect(moved.weightsSha256).not.toBe(first.weightsSha256);
      expect(moved.weightsSha256).toBe((await loadModel(nodeDirSource(repoDir))).weightsSha256);
    } finally {
      await server.close();
    }
  });

  it('a mirror without the API is listed by probing; a missing repository is a named error', async () => {
    const mirror = await startHubServer({ repos: { 'HuggingFaceTB/SmolLM2-135M': dir }, noApi: true });
    try {
      const m = await loadModel(hubSource(parseHubInput(`${mirror.url}/HuggingFaceTB/SmolLM2-135M`)));
      expect(m.spec.dim).toBe(576);
      expect(mirror.requests.some((r) => r.method === 'HEAD' && r.path.endsWith('/config.json'))).toBe(true);
    } finally {
      await mirror.close();
    }
    await expect(loadModel(hubSource(parseHubInput(`${hub.url}/nobody/nothing`)))).rejects.toThrow(MissingFileError);
    await expect(loadModel(hubSource(parseHubInput(`${hub.url}/nobody/nothing`)))).rejects.toThrow(/no public model nobody\/nothing/);
  });
});
