import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { blockAllocation, blockStatuses, openStudio, stepCounts, waitStatus } from './studio-helpers';

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

test('learn mode drives the live run chapter by chapter, every action visibly changes what its chapter explains', async ({ page }) => {
  test.setTimeout(240_000);
  await openStudio(page, '#model=micro&method=wanda&samples=4&seqlen=32&evalwin=2&eval=sotu-eval');
  await page.getByTestId('reset').click();
  await page.getByTestId('tab-learn').click();
  const learn = page.getByTestId('learn-panel');
  await expect(learn).toHaveAttribute('data-chapter', 'importance');
  await expect(page.getByTestId('chart-mask')).toHaveClass(/highlight/);
  await page.getByTestId('learn-action').click(); // prune block 0 and pause, with Learn's preset
  await expect.poll(() => blockStatuses(page)).toEqual(['pruned', 'dense']);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-paused', 'true');
  // 4 samples would be 4 steps: too few for Prodigy to move the allocation; Learn says what it changed
  expect(await page.evaluate(() => window.__besaTest!.configState().config)).toMatchObject({ method: 'besa', nsamples: 32 });
  await expect(page.getByTestId('learn-note')).toContainText('Learn set method besa, samples 32');
  // The highlighted mask now shows block 0's pruned weights.
  await expect
    .poll(async () => JSON.parse((await page.getByTestId('chart-mask').getAttribute('data-json')) ?? 'null')?.zeros ?? 0)
    .toBeGreaterThan(0.3);
  // ...and block 0's allocation moved away from the uniform 0.5 within its 32 steps
  const b0 = (await blockAllocation(page, 0))!;
  expect(Math.max(...Object.values(b0)) - Math.min(...Object.values(b0))).toBeGreaterThan(0.03);
  /** The spread of block 1's layer sparsities at its latest step. */
  const spread = () =>
    page.evaluate(() => {
      const s = window.__besaTest!.runState().blocks[1].steps.at(-1)!;
      const v = [s.q, s.k, s.v, s.o, s.gate, s.up, s.down];
      return Math.max(...v) - Math.min(...v);
    });
  await learn.getByRole('button', { name: 'Next →' }).click();
  await expect(learn).toHaveAttribute('data-chapter', 'candidates');
  await expect(page.getByTestId('chart-sparsity')).toHaveClass(/highlight/);
  await page.getByTestId('learn-action').click(); // one step of block 1: every layer still at 0.5
  await expect.poll(() => stepCounts(page)).toEqual([32, 1]);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-paused', 'true');
  expect(await spread()).toBeLessThan(1e-4);
  await learn.getByRole('button', { name: 'Next →' }).click();
  await expect(page.getByTestId('chart-rows')).toHaveClass(/highlight/);
  await page.getByTestId('learn-action').click(); // to step 20: past the warm-up, the layers have separated
  await expect.poll(() => stepCounts(page)).toEqual([32, 20]);
  expect(await spread()).toBeGreaterThan(0.03);
  await page.screenshot({ path: 'e2e/screenshots/studio-learn.png', fullPage: true });
  await learn.getByRole('button', { name: '4' }).click();
  await expect(learn).toHaveAttribute('data-chapter', 'loss');
  await expect(page.getByTestId('chart-loss')).toHaveClass(/highlight/);
  await page.getByTestId('learn-action').click(); // to step 28: the penalty rose when the allocation moved
  await expect.poll(() => stepCounts(page)).toEqual([32, 28]);
  const penalty = await page.evaluate(() => window.__besaTest!.runState().blocks[1].steps.map((s) => s.penalty));
  expect(penalty[27]).toBeGreaterThan(100 * penalty[5]);
  await learn.getByRole('button', { name: 'Next →' }).click();
  await expect(learn).toHaveAttribute('data-chapter', 'chaining');
  await expect(page.getByTestId('timeline')).toHaveClass(/highlight/);
  await page.getByTestId('learn-action').click(); // finish block 1: the last block of micro, so the run completes
  await waitStatus(page, 'completed');
  expect(await blockStatuses(page)).toEqual(['pruned', 'pruned']);
  await learn.getByRole('button', { name: 'Next →' }).click();
  await expect(page.getByTestId('chart-heatmap')).toHaveClass(/highlight/);
  // nothing left to run: the action says so and cannot start another run
  await expect(page.getByTestId('learn-action')).toBeDisabled();
  await expect(page.getByTestId('learn-action')).toContainText('done, the run is complete');
  expect(await stepCounts(page)).toEqual([32, 32]);
});
