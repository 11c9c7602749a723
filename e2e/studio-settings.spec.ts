// Settings validated as typed (issue #14): each invalid field marked with the panel's name and the allowed
// range, every problem listed at once by Run, Run refused until they are fixed, nothing typed lost.
import { expect, test } from '@playwright/test';
import { MICRO_HASH, openStudio, waitStatus } from './studio-helpers';

test('invalid settings are marked as typed, all listed by Run, and Run waits until they are fixed', async ({ page }) => {
  await openStudio(page, MICRO_HASH);
  const panel = page.getByTestId('method-panel');
  await page.getByTestId('sparsity').fill('1.5');
  await page.getByTestId('nsamples').fill('2.5');
  await page.getByTestId('seqlen').fill('');
  const errors = panel.getByTestId('field-error');
  await expect(errors).toHaveCount(3);
  await expect(errors.nth(0)).toHaveText('target sparsity "1.5": must be a number in (0, 1)');
  await expect(page.getByTestId('sparsity')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('sparsity')).toHaveAccessibleDescription('target sparsity "1.5": must be a number in (0, 1)');
  const summary = page.getByTestId('settings-problems');
  await expect(summary).toContainText('3 settings need a change before the run can start');
  await expect(summary).toContainText('samples "2.5": must be an integer >= 1');
  await expect(summary).toContainText('seqlen is empty: must be an integer >= 2');
  await expect(page.getByTestId('run')).toBeDisabled();
  await expect(page.getByTestId('step')).toBeDisabled();
  // what was typed stays in the fields; the config keeps its last valid values
  await expect(page.getByTestId('sparsity')).toHaveValue('1.5');
  const cfg = await page.evaluate(() => window.__besaTest!.configState().config);
  expect(cfg).toMatchObject({ sparsity: 0.5, nsamples: 4, seqlen: 32 });

  // an N:M pattern fixes the sparsity: a different one is marked on the sparsity field
  await page.getByTestId('sparsity').fill('0.5');
  await page.getByTestId('nsamples').fill('4');
  await page.getByTestId('seqlen').fill('32');
  await expect(errors).toHaveCount(0);
  await page.getByTestId('method').selectOption('wanda');
  await page.getByTestId('structure').selectOption('2:4');
  await page.getByTestId('sparsity').fill('0.6');
  await expect(errors).toHaveText(['N:M 2:4 prunes exactly 2/4 = 0.5 of the weights; set sparsity to 0.5 or set pattern to unstructured']);
  await expect(page.getByTestId('run')).toBeDisabled();
  await page.getByTestId('structure').selectOption('unstructured');
  await expect(summary).toHaveCount(0);
  await page.getByTestId('run').click();
  await waitStatus(page, 'completed');
  const report = await page.evaluate(() => window.__besaTest!.runState().report);
  expect(report?.config).toMatchObject({ method: 'wanda', sparsity: 0.6, structure: 'unstructured' });
});
