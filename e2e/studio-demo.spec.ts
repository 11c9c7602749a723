// Before Run (issue #14): the "quick demo" settings and a time estimate from one block forward timed on this
// adapter, on the built-in default model; the demo run then finishes. Both times are printed (the README
// records them); the test checks that they exist, not how fast this machine is.
import { expect, test } from '@playwright/test';
import { openStudio, waitStatus } from './studio-helpers';

test('quick demo settings and a time estimate on the default model; the demo run finishes', async ({ page }) => {
  test.setTimeout(400_000);
  await openStudio(page, '#model=sotu-llama-3m&method=besa');
  await page.getByTestId('quick-demo').click();
  await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/samples=16/);
  await page.getByTestId('time-probe').click();
  const est = page.getByTestId('time-estimate');
  await expect(est).toContainText('Time for this run ≈', { timeout: 60_000 });
  const estimate = Number(await est.getAttribute('data-seconds'));
  expect(estimate).toBeGreaterThan(0);
  const t0 = Date.now();
  await page.getByTestId('run').click();
  await waitStatus(page, 'completed', 360_000);
  const actual = (Date.now() - t0) / 1000;
  console.log(`quick demo on the default model: estimated ${estimate.toFixed(1)} s, took ${actual.toFixed(1)} s`);
  const report = await page.evaluate(() => window.__besaTest!.runState().report);
  expect(report).toMatchObject({ status: 'completed', completedBlocks: 3, data: { nsamples: 16, seqlen: 128 } });
});
