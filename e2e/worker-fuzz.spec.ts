// The Worker survives bad files (issue #17): seeded mutations of the micro model's files (truncations, random
// bytes, 32-bit words, JSON nodes replaced or deleted) go straight to the Worker's model loader, as a
// dropped folder would. Each one loads or fails with a named model-load error in bounded time, the Worker
// keeps answering, and the real model loads afterwards.
import { expect, test } from '@playwright/test';
import { openStudio } from './studio-helpers';

const CASES = 400;
// the loader's named errors (src/model/errors.ts): anything else would be a crash that escaped
const NAMED =
  /^(ModelLoadError|TruncatedFileError|CorruptFileError|LfsPointerError|HeaderTooLargeError|UnknownDtypeError|MissingTensorError|TensorShapeError|UnsupportedModelTypeError|ConfigError|TokenizerMismatchError|MissingFileError|UnrecognizedModelError|AmbiguousModelFileError)$/;

test(`${CASES} mutated model folders sent to the Worker: named errors only, and it keeps working`, async ({ page }) => {
  test.setTimeout(300_000);
  await openStudio(page);
  const out = await page.evaluate(async (cases) => {
    const names = ['config.json', 'model.safetensors', 'tokenizer.json'];
    const real = await Promise.all(names.map(async (n) => new Uint8Array(await (await fetch(`models/micro/${n}`)).arrayBuffer())));
    let seed = 0x2545f491;
    const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32; // seeded: the same cases every run
    const int = (n: number) => Math.floor(rnd() * n);
    const WEIRD = [null, -1, 0, 2 ** 53, 1e308, 'x', '', [], {}, true, 4294967295];
    const mutateJson = (b: Uint8Array) => {
      const root = JSON.parse(new TextDecoder().decode(b));
      let node = root;
      for (let d = 0; d < 6 && node && typeof node === 'object'; d++) {
        const keys = Object.keys(node);
        if (!keys.length) break;
        const k = keys[int(keys.length)];
        if (node[k] && typeof node[k] === 'object' && rnd() < 0.6) node = node[k];
        else {
          if (rnd() < 0.2 && !Array.isArray(node)) delete node[k];
          else node[k] = WEIRD[int(WEIRD.length)];
          break;
        }
      }
      return new TextEncoder().encode(JSON.stringify(root));
    };
    const mutateBytes = (b: Uint8Array) => {
      const kind = int(3);
      if (kind === 0) return b.slice(0, int(b.length));
      const o = b.slice();
      if (kind === 1) for (let k = 1 + int(8); k > 0; k--) o[int(rnd() < 0.7 ? Math.min(256, o.length) : o.length)] = int(256);
      else new DataView(o.buffer).setUint32(4 * int(Math.min(8, o.length >> 2)), rnd() < 0.5 ? int(2 ** 32) : int(64), true);
      return o;
    };
    const results: { ok: boolean; errorName?: string; message?: string; ms: number }[] = [];
    for (let i = 0; i < cases; i++) {
      const v = int(3);
      const bytes = real.map((b, j) => (j !== v ? b : names[j].endsWith('.json') && rnd() < 0.5 ? mutateJson(b) : mutateBytes(b)));
      const files = names.map((n, j) => new File([bytes[j]], n));
      const t0 = performance.now();
      const r = await window.__besaTest!.loadFiles(files);
      results.push({ ...r, ms: performance.now() - t0 });
      if (i % 25 === 24) await window.__besaTest!.workerState(); // still answering
    }
    const again = await window.__besaTest!.loadFiles(names.map((n, j) => new File([real[j]], n)));
    return { results, again };
  }, CASES);
  const escaped = out.results.filter((r) => !r.ok && !NAMED.test(r.errorName ?? ''));
  expect(escaped, JSON.stringify(escaped.slice(0, 3))).toEqual([]);
  expect(out.results.filter((r) => !r.ok).length).toBeGreaterThan(CASES / 3); // the mutations do reach the checks
  expect(Math.max(...out.results.map((r) => r.ms))).toBeLessThan(20_000); // no case hangs the Worker
  expect(out.again).toEqual({ ok: true });
  expect(await page.evaluate(() => window.__besaTest!.workerState())).toEqual({ running: false });
});
