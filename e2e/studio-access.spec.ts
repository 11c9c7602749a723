// The studio by keyboard and for every eye (issue #14): a skip link to the run controls, tabs that move with
// the arrow keys, file pickers reached with Tab, a colour scale on the heatmap; and nothing to download
// while no block is pruned (a run cancelled in its first block).
import { expect, test } from '@playwright/test';
import { openStudio, runReport, waitStatus } from './studio-helpers';

test('keyboard: skip link to the run controls, arrow-key tabs, file pickers reachable with Tab', async ({ page }) => {
  await openStudio(page);
  await page.keyboard.press('Tab'); // the first stop on the page
  await expect(page.getByTestId('skip-link')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('run-controls')).toBeFocused();

  await page.getByTestId('tab-run').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('tab-learn')).toBeFocused();
  await expect(page.getByTestId('tab-learn')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('End');
  await expect(page.getByTestId('tab-compare')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowRight'); // wraps around
  await expect(page.getByTestId('tab-run')).toBeFocused();
  await expect(page.getByTestId('tab-run')).toHaveAttribute('tabindex', '0');
  await expect(page.getByTestId('tab-learn')).toHaveAttribute('tabindex', '-1'); // one tab stop for the tab list

  // help text by keyboard (and so by touch and screen readers): a real button that opens the text below it
  const help = page
    .getByTestId('method-panel')
    .getByRole('button', { name: /^Help: / })
    .first();
  await help.focus();
  await page.keyboard.press('Enter');
  await expect(help).toHaveAttribute('aria-expanded', 'true');
  const note = page.locator(`#${(await help.getAttribute('aria-controls'))!.replace(/:/g, '\\:')}`);
  await expect(note).toBeVisible();
  expect(((await note.textContent()) ?? '').length).toBeGreaterThan(20);
  await expect(page.getByTestId('chart-sparsity').getByRole('button', { name: /^Help: / })).toHaveCount(1);

  // the hidden file inputs are in the tab order (not display: none), so Tab lands on them
  for (const id of ['model-files', 'open-report']) {
    await page.getByTestId(id).focus();
    await expect(page.getByTestId(id)).toBeFocused();
    expect(await page.getByTestId(id).evaluate((el) => getComputedStyle(el).display)).not.toBe('none');
  }
});

test('a run cancelled in its first block has nothing to export but its report; the heatmap has a colour scale', async ({ page }) => {
  await openStudio(page, '#model=micro&method=besa&samples=6&seqlen=32&evalwin=2&eval=sotu-eval');
  await page.getByTestId('step').click(); // one step into block 0, paused
  await expect.poll(async () => await page.evaluate(() => window.__besaTest!.runState().blocks[0].steps.length)).toBe(1);
  await page.getByTestId('cancel').click();
  await waitStatus(page, 'cancelled');
  expect(await runReport(page)).toMatchObject({ status: 'cancelled', completedBlocks: 0 });
  await expect(page.getByTestId('export-model')).toBeDisabled();
  await expect(page.getByTestId('export-sparse')).toBeDisabled();
  await expect(page.getByTestId('export-json')).toBeEnabled();
  await expect(page.getByTestId('heatmap-legend')).toContainText('0 %');
  await expect(page.getByTestId('heatmap-legend')).toContainText('100 % zeros');
  // the memory verdict before Run checks every buffer against the adapter's limit (src/gpu/limits.ts)
  await expect(page.getByTestId('gpu-fit')).toHaveAttribute('data-fits', 'true');
  await expect(page.getByTestId('gpu-fit')).toContainText("Every buffer fits this adapter's limit of 1.00 GiB");
});

test('a phone-sized screen (390 px): nothing wider than the screen, Run at hand without scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openStudio(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'horizontal overflow in px').toBeLessThanOrEqual(0);
  await expect(page.getByTestId('run-bar-run')).toBeInViewport();
  await page.getByTestId('run-bar-run').click();
  await waitStatus(page, 'completed');
  for (const tab of ['run', 'learn', 'compare'] as const) {
    await page.getByTestId(`tab-${tab}`).click();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), `${tab} view`).toBeLessThanOrEqual(0);
  }
});
