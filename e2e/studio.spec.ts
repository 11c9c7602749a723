import { expect, test } from '@playwright/test';
import { MICRO_HASH, openStudio, waitStatus } from './studio-helpers';

test('the studio loads the default model on first paint and shows its card', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('adapter')).toContainText('GPU:');
  const card = page.getByTestId('model-card');
  await expect(card).toBeVisible();
  const json = JSON.parse((await card.getAttribute('data-json')) ?? '{}');
  // sotu-llama-3m when it is shipped, else the micro model (47,776 params, 2 blocks, vocab 384)
  if (json.name.includes('micro')) expect(json).toMatchObject({ params: 47776, nLayers: 2, vocab: 384, linearSparsity: 0 });
  else expect(json.nLayers).toBeGreaterThan(0);
  await expect(page.getByTestId('timeline').locator('button')).toHaveCount(json.nLayers);
  await page.screenshot({ path: 'e2e/screenshots/studio-first-paint.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('a BESA run on the micro model completes with a chart point at every step and every block in the heatmap', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openStudio(page, MICRO_HASH);
  await page.getByTestId('run').click();
  await waitStatus(page, 'completed');
  const blocks = await page.evaluate(() =>
    window.__besaTest!.runState().blocks.map((b) => ({ status: b.status, totalSteps: b.totalSteps, steps: b.steps, final: b.final })),
  );
  expect(blocks.length).toBe(2);
  for (const b of blocks) {
    expect(b.status).toBe('pruned');
    expect(b.totalSteps).toBe(4); // 1 epoch × 4 samples
    expect(b.steps.map((p) => p.step)).toEqual([0, 1, 2, 3]);
    for (const p of b.steps) {
      expect(Number.isFinite(p.recon) && p.recon >= 0).toBe(true);
      expect(p.total).toBeGreaterThan(0.3);
      expect(p.total).toBeLessThan(0.7);
    }
    expect(b.steps[0].q).toBeCloseTo(0.5, 6); // θ = 0 → uniform p → s = mean(cand) = 0.5 (docs/besa.md §1.4)
    expect(b.final!.blockSparsity).toBeGreaterThan(0.3);
  }
  const counts = await page.evaluate(() => window.__besaTest!.runState().eventCounts);
  expect(counts.step).toBe(8);
  // the engine that ran it reports its memory in the header: the WASM module's here (auto on a software adapter)
  const engine = await page.getByTestId('engine-header').getAttribute('data-engine');
  if (engine === 'wasm') await expect(page.getByTestId('gpu-memory')).toHaveText(/^WASM memory [\d.]+ (KiB|MiB) peak$/);
  else await expect(page.getByTestId('gpu-memory')).toContainText('GPU memory');
  expect(counts['block-end']).toBe(2);
  // Every block's row of the heatmap is filled, and the DOM chart says how many points it drew.
  const heat = JSON.parse((await page.getByTestId('chart-heatmap').getAttribute('data-json')) ?? '{}');
  expect(heat.blocks.length).toBe(2);
  for (const row of heat.blocks) expect(row).toHaveLength(7);
  const ppl = await page.evaluate(() => window.__besaTest!.runState().perplexity);
  expect(ppl.dense[0].ppl).toBeGreaterThan(1);
  expect(ppl.pruned[0].ppl).toBeGreaterThan(1);
  const mask = JSON.parse((await page.getByTestId('chart-mask').getAttribute('data-json')) ?? 'null');
  expect(mask).not.toBeNull();
  await page.screenshot({ path: 'e2e/screenshots/studio-run-complete.png', fullPage: true });
  expect(errors).toEqual([]);
});
