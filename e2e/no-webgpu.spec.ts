// Runs in the 'no-webgpu' project: Chromium without --enable-unsafe-webgpu, so neither the page nor
// the engine Worker gets a WebGPU adapter. The studio must then be the full studio on the WASM engine
// (docs/wasm.md §3-5), with a notice, not a fallback page, and on every core (WASM threads).
import { expect, test } from '@playwright/test';
import { MICRO_HASH, runReport, waitStatus } from './studio-helpers';

test('without WebGPU the full studio runs a BESA job to completion on the WASM engine', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?e2e-hooks=1' + MICRO_HASH);
  const notice = page.getByTestId('no-webgpu-notice');
  await expect(notice).toContainText('No WebGPU here');
  await expect(notice).toContainText('WASM engine');
  await expect(page.getByTestId('adapter')).toHaveText('No WebGPU');
  await expect(page.getByTestId('model-card')).toBeVisible();
  await expect(page.getByTestId('engine-header')).toHaveAttribute('data-engine', 'wasm');
  await expect(page.getByTestId('engine-decision')).toContainText('auto: no WebGPU adapter');
  // WebGPU cannot be picked here; the menu says so instead of failing at Run.
  await expect(page.getByTestId('engine').locator('option[value="webgpu"]')).toBeDisabled();
  await page.getByTestId('run').click();
  await waitStatus(page, 'completed');
  const report = await runReport(page);
  expect(report?.device.executor).toBe('wasm');
  // WASM threads: one per core up to 8 (helpers are nested Workers sharing the module memory; with
  // ?e2e-hooks=1 every product is split, so this run went through them).
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const threads = Math.min(8, cores);
  expect(report?.device.adapter).toBe(`wasm (SIMD f32 products, ${threads > 1 ? `${threads} threads` : 'one thread'})`);
  await expect(page.getByTestId('engine-header')).toContainText(threads > 1 ? `${threads} threads` : 'one thread');
  const blocks = await page.evaluate(() => window.__besaTest!.runState().blocks.map((b) => ({ status: b.status, steps: b.steps.length })));
  expect(blocks).toEqual([
    { status: 'pruned', steps: 4 },
    { status: 'pruned', steps: 4 },
  ]);
  const ppl = await page.evaluate(() => window.__besaTest!.runState().perplexity);
  expect(ppl.pruned[0].ppl).toBeGreaterThan(ppl.dense[0].ppl * 0.9);
  expect(Number.isFinite(ppl.pruned[0].ppl)).toBe(true);
  // The page is cross-origin isolated (COOP/COEP from vite.config.ts), which WASM threads need.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await page.screenshot({ path: 'e2e/screenshots/no-webgpu-wasm.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('the engine menu switches to the CPU reference and back, and the hash keeps the choice', async ({ page }) => {
  await page.goto('/?e2e-hooks=1' + MICRO_HASH + '&engine=cpu');
  await expect(page.getByTestId('engine')).toHaveValue('cpu');
  await expect(page.getByTestId('engine-header')).toHaveAttribute('data-engine', 'cpu');
  await page.getByTestId('engine').selectOption('wasm');
  await expect(page.getByTestId('engine-header')).toHaveAttribute('data-engine', 'wasm');
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('engine=wasm');
});
