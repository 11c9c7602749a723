// Share results, not only settings (issue #14): a run's downloaded .report.json, opened in a fresh studio,
// shows that run again: the same blocks, final allocation and recorded steps, the charts drawn, exports of
// weights it does not have turned off, the recipe still there. A damaged report is refused by name.
import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { MICRO_HASH, blockStatuses, openStudio, waitStatus } from './studio-helpers';

const shownRun = (page: import('@playwright/test').Page) =>
  page.evaluate(() => {
    const s = window.__besaTest!.runState();
    return {
      status: s.status,
      blocks: s.blocks.map((b) => ({ status: b.status, steps: b.steps.map((p) => [p.step, p.total, p.q]), final: b.final?.layerSparsity })),
      pruned: s.perplexity.pruned.map((p) => p.ppl),
    };
  });

test('a downloaded report opens in a fresh studio and shows that run', async ({ page }, info) => {
  await openStudio(page, MICRO_HASH);
  await page.getByTestId('run').click();
  await waitStatus(page, 'completed');
  const live = await shownRun(page);
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const path = info.outputPath(d.suggestedFilename());
  await d.saveAs(path);

  await page.reload(); // a fresh page: nothing of the run is left
  await openStudio(page, MICRO_HASH);
  expect(await blockStatuses(page)).toEqual(['dense', 'dense']);
  await page.getByTestId('open-report').setInputFiles(path);
  await expect(page.getByTestId('report-summary')).toContainText(`${d.suggestedFilename()}: completed · 2/2 blocks`);
  expect(await shownRun(page)).toEqual(live);
  await expect(page.getByTestId('run-error')).toContainText('Showing');
  // the recorded steps are drawn: one polyline per layer and the block total, a point per step
  const lines = page.getByTestId('chart-sparsity').locator('polyline.plot-line');
  await expect(lines).toHaveCount(8);
  expect((await lines.first().getAttribute('points'))!.trim().split(' ')).toHaveLength(4);
  await expect(page.getByTestId('export-model')).toBeDisabled();
  await expect(page.getByTestId('export-sparse')).toBeDisabled();
  await expect(page.getByTestId('export-recipe')).toBeEnabled();

  const bad = info.outputPath('bad.report.json');
  writeFileSync(bad, JSON.stringify({ schema: 'besa-studio/run-report@1', runId: '' }));
  await page.getByTestId('open-report').setInputFiles(bad);
  await expect(page.getByTestId('run-error')).toContainText('bad.report.json is not a run report this studio can show');
  await expect(page.getByTestId('run-error')).toContainText('runId must be a string of 1 to 200 characters');
  expect((await shownRun(page)).blocks).toEqual(live.blocks); // the report shown before is kept
});
