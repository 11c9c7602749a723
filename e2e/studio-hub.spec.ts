// A model from the Hugging Face hub in the studio (docs/real-models.md §6), without the network: the
// hub's URLs are answered by this test from a synthetic SmolLM2-135M-shape checkpoint (2 blocks of the
// exact shape, bf16, the hub's API listing and its resolve URLs, Range requests honoured). The studio
// downloads it with a progress bar, shows the card and the memory estimate, prunes it, and after a
// reload loads it again from the browser's cache without a single download.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type BrowserContext } from '@playwright/test';
import { writeSyntheticCheckpoint } from '../src/cli/synthetic';
import { openStudio, waitStatus } from './studio-helpers';

const REPO = 'HuggingFaceTB/SmolLM2-135M';

/** Answer https://huggingface.co/... from `dir`; returns the log of file requests (path, Range header). */
async function fakeHub(context: BrowserContext, dir: string): Promise<{ path: string; range: string | null }[]> {
  const log: { path: string; range: string | null }[] = [];
  await context.route('https://huggingface.co/**', async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === `/api/models/${REPO}/revision/main`)
      return route.fulfill({
        json: { id: REPO, siblings: readdirSync(dir).map((rfilename) => ({ rfilename })) },
        headers: { 'Access-Control-Allow-Origin': '*' },
      });
    const m = new RegExp(`^/${REPO}/resolve/main/([^/]+)$`).exec(url.pathname);
    if (!m) return route.fulfill({ status: 404, body: 'Entry not found', headers: { 'Access-Control-Allow-Origin': '*' } });
    const range = route.request().headers()['range'] ?? null;
    log.push({ path: m[1], range });
    const bytes = readFileSync(join(dir, m[1]));
    const from = range ? Number(/bytes=(\d+)-/.exec(range)![1]) : 0;
    return route.fulfill({
      status: range ? 206 : 200,
      body: bytes.subarray(from),
      headers: {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Expose-Headers': 'Content-Range, Content-Length',
        'Content-Length': String(bytes.length - from),
        ...(range ? { 'Content-Range': `bytes ${from}-${bytes.length - 1}/${bytes.length}` } : {}),
      },
    });
  });
  return log;
}

test('a hub model id downloads with progress, prunes, and loads from the cache after a reload', async ({ page, context }, info) => {
  test.setTimeout(300_000);
  const dir = info.outputPath('smollm2');
  await writeSyntheticCheckpoint(dir, 'smollm2-135m', { layers: 2 });
  const log = await fakeHub(context, dir);
  await openStudio(page, '#model=micro&method=wanda&samples=2&seqlen=32&evalwin=1&eval=sotu-eval&sparsity=0.5');

  await page.getByTestId('hub-input').fill(REPO);
  await page.getByTestId('hub-load').click();
  await expect(page.getByTestId('hub-progress')).toBeVisible({ timeout: 60_000 });
  const card = page.getByTestId('model-card');
  await expect(card).toHaveAttribute('data-json', /"vocab":49152/, { timeout: 120_000 });
  expect(JSON.parse((await card.getAttribute('data-json'))!)).toMatchObject({ name: REPO, nLayers: 2, vocab: 49152 });
  await expect(page.getByTestId('model-panel').locator('.estimate').first()).toContainText('GPU memory for this run');
  await expect(page.getByTestId('host-estimate')).toContainText('Host memory for this run');
  expect(log.map((r) => r.path).sort()).toEqual([
    'README.md',
    'config.json',
    'model.safetensors',
    'tokenizer.json',
    'tokenizer_config.json',
  ]);

  await page.getByTestId('run').click();
  await waitStatus(page, 'completed', 240_000);
  expect(await page.evaluate(() => window.__besaTest!.runState().report?.achievedSparsity)).toBeCloseTo(0.5, 4);

  // After a reload the same id is served by Cache Storage: no file is downloaded again.
  const before = log.length;
  await openStudio(page, '#model=micro&method=wanda&samples=2&seqlen=32&evalwin=1&eval=sotu-eval');
  await page.getByTestId('hub-input').fill(`https://huggingface.co/${REPO}`);
  await page.getByTestId('hub-load').click();
  await expect(card).toHaveAttribute('data-json', /"vocab":49152/, { timeout: 120_000 });
  expect(log.slice(before)).toEqual([]);
});

test('the SmolLM2-135M shape from the hub: one BESA block on WebGPU (SwiftShader), the header shows the peak GPU memory', async ({
  page,
  context,
}, info) => {
  test.setTimeout(300_000);
  const dir = info.outputPath('smollm2');
  await writeSyntheticCheckpoint(dir, 'smollm2-135m', { layers: 2 });
  await fakeHub(context, dir);
  await openStudio(page, '#model=micro&method=besa&samples=2&seqlen=32&eval=none&evalwin=0&sparsity=0.5&engine=webgpu');
  await page.getByTestId('hub-input').fill(REPO);
  await page.getByTestId('hub-load').click();
  const card = page.getByTestId('model-card');
  await expect(card).toHaveAttribute('data-json', /"vocab":49152/, { timeout: 120_000 });
  await expect(page.getByTestId('model-panel').locator('.estimate').first()).toContainText('GPU memory for this run');
  await page.getByTestId('step-block').click(); // block 0 only, then pause
  await expect
    .poll(() => page.evaluate(() => window.__besaTest!.runState().blocks.map((b) => b.status)), { timeout: 240_000 })
    .toEqual(['pruned', 'dense']);
  const run = await page.evaluate(() => {
    const r = window.__besaTest!.runState();
    return { adapter: r.adapter, steps: r.blocks[0].steps.length, sparsity: r.blocks[0].final?.blockSparsity, memory: r.memory };
  });
  expect(run.adapter).toMatch(/swiftshader/i); // the WebGPU engine ran it, not WASM
  expect(run.steps).toBe(2);
  expect(run.sparsity).toBeCloseTo(0.5, 3);
  // One block's seven linears in f32: 3.54 M weights. The ledger's peak holds the block's weights, masks,
  // W⊙M, gradients and activations, and stays under 8 × that (tests/gpu/realShapeMemory.test.ts: 6.49 ×).
  const blockF32 = 4 * (576 * 576 * 2 + 576 * 192 * 2 + 3 * 576 * 1536);
  expect(run.memory!.peakBytes).toBeGreaterThan(blockF32);
  expect(run.memory!.peakBytes).toBeLessThan(8 * blockF32);
  await expect(page.getByTestId('gpu-memory')).toContainText(/GPU memory .* live · [\d.]+ MiB peak/);
  await page.getByTestId('cancel').click();
  await waitStatus(page, 'cancelled');
});

test('a hub id that does not exist is a named error and the loaded model stays', async ({ page, context }, info) => {
  await fakeHub(context, info.outputPath('empty'));
  await openStudio(page, '#model=micro');
  await page.getByTestId('hub-input').fill('nobody/nothing');
  await page.getByTestId('hub-load').click();
  const err = page.getByTestId('model-error');
  await expect(err).toHaveAttribute('data-error-name', 'MissingFileError', { timeout: 60_000 });
  await expect(err).toContainText('no public model nobody/nothing');
  await expect(page.getByTestId('model-card')).toHaveAttribute('data-json', /"vocab":384/);
});
