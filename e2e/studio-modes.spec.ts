import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { blockStatuses, openStudio, stepCounts, waitStatus, workerState } from './studio-helpers';

test('compare runs several methods on the same model and seed: table, bar chart and side-by-side generations', async ({ page }) => {
  test.setTimeout(420_000);
  await openStudio(page, '#model=micro&method=besa&samples=4&seqlen=32&seed=0&evalwin=4&eval=sotu-eval&sparsity=0.5');
  await page.getByTestId('tab-compare').click();
  // Default selection: BESA, Wanda, SparseGPT, Magnitude; add Wanda 2:4.
  await page.getByLabel('Wanda 2:4').check();
  await page.getByTestId('compare-run').click();
  const table = page.getByTestId('compare-table');
  await expect
    .poll(async () => JSON.parse((await table.getAttribute('data-json')) ?? '[]').map((r: { status: string }) => r.status), {
      timeout: 360_000,
    })
    .toEqual(['completed', 'completed', 'completed', 'completed', 'completed']);
  const rows: { label: string; achieved: number; ppl: number[] }[] = JSON.parse((await table.getAttribute('data-json'))!);
  for (const r of rows) {
    expect(r.ppl).toHaveLength(1);
    expect(r.ppl[0]).toBeGreaterThan(1);
    expect(r.achieved).toBeGreaterThan(0.3);
  }
  // N:M prunes exactly half of every group of 4; the one-shot unstructured methods hit 50% exactly too.
  expect(rows.find((r) => r.label === 'Wanda 2:4')!.achieved).toBeCloseTo(0.5, 9);
  expect(rows.find((r) => r.label === 'Wanda')!.achieved).toBeCloseTo(0.5, 9);
  await expect(page.getByTestId('chart-compare')).toBeVisible();
  // the table as files (issue #14): CSV with the dense row, JSON with each run's settings; allocations side by side
  const save = async (testId: string) => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    return readFileSync((await d.path())!, 'utf8');
  };
  const csv = (await save('compare-csv')).trim().split('\n');
  expect(csv[0]).toMatch(/^method,status,target_sparsity,achieved_sparsity,ppl_sotu-eval,prune_seconds,sparsity_q,/);
  expect(csv.map((l) => l.split(',')[0])).toEqual(['method', 'dense', '"BESA"', '"Wanda"', '"SparseGPT"', '"Magnitude"', '"Wanda 2:4"']);
  const json = JSON.parse(await save('compare-json'));
  expect(json.rows.map((r: { label: string; structure: string }) => [r.label, r.structure])).toContainEqual(['Wanda 2:4', '2:4']);
  expect(json.rows[1].allocationByLinear.q).toBeCloseTo(0.5, 9); // Wanda: every linear at the target
  await expect(page.getByTestId('chart-compare-alloc')).toBeVisible();
  await expect(page.getByTestId('compare-short-run')).toContainText('BESA took 4 optimiser steps per block'); // 4 samples: too short to leave Wanda
  const gen = page.getByTestId('compare-generation');
  await gen.getByTestId('generate').click();
  const out = gen.getByTestId('generations');
  await expect(out).toBeVisible({ timeout: 120_000 });
  const items: { label: string; tokens: number }[] = JSON.parse((await out.getAttribute('data-json'))!);
  expect(items.map((i) => i.label)).toEqual(['dense', 'BESA', 'Wanda', 'SparseGPT', 'Magnitude', 'Wanda 2:4']);
  for (const i of items) expect(i.tokens).toBeGreaterThan(0);
  await page.screenshot({ path: 'e2e/screenshots/studio-compare.png', fullPage: true });
});

test('learn mode drives the live run chapter by chapter and highlights what each chapter explains', async ({ page }) => {
  await openStudio(page, '#model=micro&method=wanda&samples=4&seqlen=32&evalwin=2&eval=sotu-eval');
  await page.getByTestId('reset').click();
  await page.getByTestId('tab-learn').click();
  const learn = page.getByTestId('learn-panel');
  await expect(learn).toHaveAttribute('data-chapter', 'importance');
  await expect(page.getByTestId('chart-mask')).toHaveClass(/highlight/);
  await page.getByTestId('learn-action').click(); // prune block 0 and pause (switches the method to BESA)
  await expect.poll(() => blockStatuses(page)).toEqual(['pruned', 'dense']);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-paused', 'true');
  expect(await page.evaluate(() => window.__besaTest!.configState().config.method)).toBe('besa');
  // The highlighted mask now shows block 0's pruned weights.
  await expect
    .poll(async () => JSON.parse((await page.getByTestId('chart-mask').getAttribute('data-json')) ?? 'null')?.zeros ?? 0)
    .toBeGreaterThan(0.3);
  await learn.getByRole('button', { name: 'Next →' }).click();
  await expect(learn).toHaveAttribute('data-chapter', 'candidates');
  await expect(page.getByTestId('chart-sparsity')).toHaveClass(/highlight/);
  await page.getByTestId('learn-action').click(); // one step of block 1
  await expect.poll(() => stepCounts(page)).toEqual([4, 1]);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-paused', 'true');
  await learn.getByRole('button', { name: 'Next →' }).click();
  await page.getByTestId('learn-action').click();
  await expect.poll(() => stepCounts(page)).toEqual([4, 2]);
  await page.screenshot({ path: 'e2e/screenshots/studio-learn.png', fullPage: true });
  await learn.getByRole('button', { name: '4' }).click();
  await expect(learn).toHaveAttribute('data-chapter', 'loss');
  await expect(page.getByTestId('chart-loss')).toHaveClass(/highlight/);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-paused', 'true');
  await page.getByTestId('learn-action').click(); // finish block 1: the last block, so the run completes
  await waitStatus(page, 'completed');
  await learn.getByRole('button', { name: '6' }).click();
  await expect(page.getByTestId('chart-heatmap')).toHaveClass(/highlight/);
  const runId = await page.evaluate(() => window.__besaTest!.runState().runId);
  await page.getByTestId('learn-action').click(); // nothing left to run: no new run starts
  // The Worker has handled whatever the click sent (a 'run' would make it busy) and nothing changed.
  expect(await workerState(page)).toEqual({ running: false });
  await waitStatus(page, 'completed');
  expect(await page.evaluate(() => window.__besaTest!.runState().runId)).toBe(runId);
  expect(await stepCounts(page)).toEqual([4, 4]);
});
