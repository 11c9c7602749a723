// The sparsity sweep (issue #14): chosen methods at several target sparsities, drawn as one chart.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { MICRO_HASH, openStudio } from './studio-helpers';

test('a sparsity sweep runs each method at each target and draws perplexity against sparsity', async ({ page }) => {
  test.setTimeout(240_000);
  await openStudio(page, MICRO_HASH);
  await page.getByTestId('tab-compare').click();
  for (const m of ['BESA', 'SparseGPT']) await page.getByLabel(m, { exact: true }).uncheck();
  await page.getByLabel('Wanda 2:4').check(); // an N:M row has no curve: left out, and said so
  await page.getByTestId('sweep-on').check();
  await expect(page.getByTestId('compare-panel')).toContainText('N:M rows are left out of a sweep');
  const list = page.getByTestId('sweep-sparsities');
  await list.fill('0.3, 1.2');
  await expect(page.getByTestId('sweep-problem')).toHaveText('sweep sparsities "1.2": each must be a number in (0, 1)');
  await expect(page.getByTestId('compare-run')).toBeDisabled();
  await list.fill('0.7 0.3 0.5');
  await expect(page.getByTestId('compare-run')).toHaveText('Run sweep (6 runs)');
  await page.getByTestId('compare-run').click();
  const chart = page.getByTestId('chart-sweep');
  await expect(chart).toBeVisible({ timeout: 200_000 });
  const table = page.getByTestId('compare-table');
  await expect
    .poll(
      async () =>
        JSON.parse((await table.getAttribute('data-json')) ?? '[]').filter((r: { status: string }) => r.status === 'completed').length,
      {
        timeout: 200_000,
      },
    )
    .toBe(6);
  const rows: { label: string; achieved: number }[] = JSON.parse((await table.getAttribute('data-json'))!);
  expect(rows.map((r) => r.label)).toEqual([
    'Wanda @ 0.3',
    'Wanda @ 0.5',
    'Wanda @ 0.7',
    'Magnitude @ 0.3',
    'Magnitude @ 0.5',
    'Magnitude @ 0.7',
  ]);
  // per-row counts are rounded down on micro's narrow rows (48 inputs: 14 of 48 at 0.3)
  for (const r of rows) expect(Math.abs(r.achieved - Number(r.label.split('@ ')[1]))).toBeLessThan(0.03);
  const curve = JSON.parse((await chart.getAttribute('data-json'))!);
  expect(curve.presets).toEqual(['Wanda', 'Magnitude']);
  expect(curve.points.map((p: { sparsity: number }) => p.sparsity)).toEqual([0.3, 0.5, 0.7]);
  for (const m of curve.presets) {
    const ppl = curve.points.map((p: Record<string, number>) => p[m]);
    expect(ppl[2], `${m}: 70 % sparsity costs more than 30 %`).toBeGreaterThan(ppl[0]);
    expect(ppl[0]).toBeGreaterThan(curve.dense);
  }
  await expect(chart.locator('.recharts-line')).toHaveCount(2);
  // the sweep's table exports with each run's target
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('compare-csv').click()]);
  const csv = readFileSync((await d.path())!, 'utf8')
    .trim()
    .split('\n');
  expect(csv.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
    'dense,,0',
    '"Wanda @ 0.3",completed,0.3',
    '"Wanda @ 0.5",completed,0.5',
    '"Wanda @ 0.7",completed,0.7',
    '"Magnitude @ 0.3",completed,0.3',
    '"Magnitude @ 0.5",completed,0.5',
    '"Magnitude @ 0.7",completed,0.7',
  ]);
  await page.screenshot({ path: 'e2e/screenshots/studio-sweep.png', fullPage: true });
});
