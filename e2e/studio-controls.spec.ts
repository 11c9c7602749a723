import { expect, test, type Page } from '@playwright/test';
import { blockAllocation, blockStatuses, openStudio, runReport, stepCounts as stepsOf, waitStatus, workerState } from './studio-helpers';

const paused = (page: Page) => expect(page.getByTestId('run-status')).toHaveAttribute('data-paused', 'true');
const rowView = async (page: Page) =>
  JSON.parse((await page.getByTestId('chart-rows').getAttribute('data-json')) ?? 'null') as { block: number | null; step: number | null };

test('step one iteration, step one block, then resume: exactly one optimiser step per click', async ({ page }) => {
  await openStudio(page, '#model=micro&method=besa&samples=4&seqlen=32&evalwin=2&eval=sotu-eval');
  await page.getByTestId('step').click();
  await paused(page);
  await expect.poll(() => stepsOf(page)).toEqual([1, 0]);
  // Per-row allocation (rows events): one cell per output row of q, updated by each single step.
  const qStrip = page.getByTestId('row-strip-q');
  const qRows = await page.evaluate(() => {
    const p = window.__besaTest!.modelState().card!.spec;
    return p.nHeads * p.headDim;
  });
  await expect.poll(async () => (await rowView(page)).step).toBe(0);
  expect((await rowView(page)).block).toBe(0);
  await expect(qStrip).toHaveAttribute('data-cells', String(qRows));
  await expect(qStrip).toHaveAttribute('data-rows', String(qRows));
  // hovering a cell reads out its row and value (the strip is one image, not a rect per row)
  const readout = page.getByTestId('row-alloc-hover');
  const hoverRow = async (row: number) => {
    const box = (await qStrip.locator('.strip-hit').boundingBox())!;
    await page.mouse.move(box.x + ((row + 0.5) / qRows) * box.width, box.y + box.height / 2);
    return readout.textContent();
  };
  const titles0 = await hoverRow(3);
  expect(titles0).toMatch(/^q row 3: s = 0\.5000000 · step 1: 0\.5000000/);
  const qTitles = () => hoverRow(3);
  await page.getByTestId('step').click();
  await expect.poll(() => stepsOf(page)).toEqual([2, 0]);
  await paused(page);
  await expect.poll(async () => (await rowView(page)).step).toBe(1);
  await expect(qStrip).toHaveAttribute('data-cells', String(qRows));
  expect(await qTitles()).not.toEqual(titles0); // the hover values changed with the step
  const q = await page.evaluate(() => {
    const r = window.__besaTest!.runState().rowAlloc[0];
    return { now: Array.from(r.rows.q), first: Array.from(r.first.q) };
  });
  expect(q.now).toHaveLength(qRows);
  expect(new Set(q.first).size).toBe(1); // θ = 0 at the first step: every row alike
  expect(q.now.some((v, i) => v !== q.first[i])).toBe(true);
  await page.getByTestId('chart-rows').screenshot({ path: 'e2e/screenshots/studio-row-allocation.png' });
  // Step one block: finishes block 0 (steps 2, 3) and stops before block 1.
  await page.getByTestId('step-block').click();
  await expect.poll(async () => blockStatuses(page)).toEqual(['pruned', 'dense']);
  await paused(page);
  expect(await stepsOf(page)).toEqual([4, 0]);
  await page.screenshot({ path: 'e2e/screenshots/studio-paused.png', fullPage: true });
  await page.getByTestId('run').click(); // "Resume"
  await waitStatus(page, 'completed');
  expect(await stepsOf(page)).toEqual([4, 4]);
});

test('pause mid-run stops the stream of steps; resume completes it', async ({ page }) => {
  await openStudio(page, '#model=micro&method=besa&samples=24&seqlen=32&evalwin=2&eval=sotu-eval');
  await page.getByTestId('run').click();
  await page.getByTestId('pause').click();
  await paused(page);
  // data-paused comes from the controller itself: the pipeline is parked at a pause point. A round trip
  // through the Worker then proves no step event was still in flight, and the count stays put.
  const a = (await stepsOf(page)).reduce((x, y) => x + y, 0);
  expect(await workerState(page)).toEqual({ running: true });
  const b = (await stepsOf(page)).reduce((x, y) => x + y, 0);
  expect(b).toBe(a); // nothing moves while paused
  await paused(page);
  expect(a).toBeLessThan(48);
  await page.getByTestId('run').click();
  await waitStatus(page, 'completed');
  expect(await stepsOf(page)).toEqual([24, 24]);
});

test('cancel leaves a consistent state: finished blocks pruned, the rest dense, a new run works', async ({ page }) => {
  await openStudio(page, '#model=micro&method=besa&samples=6&seqlen=32&evalwin=2&eval=sotu-eval');
  await page.getByTestId('step-block').click(); // block 0 done, paused before block 1
  await expect.poll(async () => blockStatuses(page)).toEqual(['pruned', 'dense']);
  await page.getByTestId('step').click(); // one step into block 1
  await expect.poll(() => stepsOf(page)).toEqual([6, 1]);
  await page.getByTestId('cancel').click();
  await waitStatus(page, 'cancelled');
  expect(await blockStatuses(page)).toEqual(['pruned', 'dense']);
  const report = await runReport(page);
  expect(report).toMatchObject({ status: 'cancelled', completedBlocks: 1 });
  expect(report!.allocation).toHaveLength(1);
  // The mask of the block that was in progress is dense (nothing was applied to it).
  await page.getByTestId('block-1').click();
  await expect.poll(async () => JSON.parse((await page.getByTestId('chart-mask').getAttribute('data-json')) ?? 'null')?.block).toBe(1);
  const mask = JSON.parse((await page.getByTestId('chart-mask').getAttribute('data-json'))!);
  expect(mask.zeros).toBe(0);
  await page.screenshot({ path: 'e2e/screenshots/studio-cancelled.png', fullPage: true });
  // Resume is offered at once (not only after a reload), and continues block 1 after its finished step
  await expect(page.getByTestId('resume-banner')).toContainText('stopped in block 1 after step 1/6 (1/2 blocks done');
  await page.getByTestId('resume').click();
  await waitStatus(page, 'completed');
  expect(await blockStatuses(page)).toEqual(['pruned', 'pruned']);
  expect(await runReport(page)).toMatchObject({ status: 'completed', startBlock: 1, completedBlocks: 2 });
  expect(await stepsOf(page)).toEqual([0, 6]); // block 1: its saved step, then the 5 left
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);
  // The studio is usable again: reset and a full run.
  await page.getByTestId('reset').click();
  await expect.poll(async () => blockStatuses(page)).toEqual(['dense', 'dense']);
  await page.getByTestId('run').click();
  await waitStatus(page, 'completed');
  expect(await stepsOf(page)).toEqual([6, 6]);
});

test('a reload mid-run resumes from the last completed block (IndexedDB checkpoint)', async ({ page }) => {
  await openStudio(page, '#model=micro&method=besa&samples=4&seqlen=32&evalwin=2&eval=sotu-eval');
  await page.getByTestId('reset').click(); // no checkpoint from earlier tests
  await page.getByTestId('step-block').click();
  await expect.poll(async () => blockStatuses(page)).toEqual(['pruned', 'dense']);
  await paused(page);
  const before = await blockAllocation(page, 0);
  expect(before).not.toBeNull();
  await page.reload();
  await expect(page.getByTestId('resume-banner')).toContainText('after block 0');
  await page.getByTestId('resume').click();
  await waitStatus(page, 'completed');
  expect(await page.evaluate(() => window.__besaTest!.runState().startBlock)).toBe(1);
  expect(await stepsOf(page)).toEqual([0, 4]); // block 0 was not re-run
  expect(await blockStatuses(page)).toEqual(['pruned', 'pruned']);
  const after = await blockAllocation(page, 0);
  expect(after).toEqual(before); // block 0's allocation came back from the checkpoint unchanged
  const heat = JSON.parse((await page.getByTestId('chart-heatmap').getAttribute('data-json'))!);
  for (const row of heat.blocks) expect(row).toHaveLength(7);
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);
});

test('a reload inside a block loses no finished optimiser work: the block continues from its last save', async ({ page }) => {
  const hash = '#model=micro&method=besa&samples=12&seqlen=32&evalwin=2&eval=sotu-eval';
  await openStudio(page, hash);
  await page.getByTestId('reset').click();
  await page.getByTestId('run').click(); // the uninterrupted run, to compare with
  await waitStatus(page, 'completed');
  const whole = [await blockAllocation(page, 0), await blockAllocation(page, 1)];
  await page.getByTestId('reset').click();
  await page.getByTestId('step-block').click();
  await expect.poll(async () => blockStatuses(page)).toEqual(['pruned', 'dense']);
  for (let i = 1; i <= 10; i++) {
    await page.getByTestId('step').click();
    await expect.poll(() => stepsOf(page)).toEqual([12, i]);
    await paused(page);
  }
  await page.reload(); // no cancel: what survives is the save after step 8 (every 8 steps)
  await expect(page.getByTestId('resume-banner')).toContainText('stopped in block 1 after step 8/12');
  await page.getByTestId('resume').click();
  await waitStatus(page, 'completed');
  expect(await stepsOf(page)).toEqual([0, 12]); // block 1's 8 saved steps are back on the chart, 4 more ran
  expect([await blockAllocation(page, 0), await blockAllocation(page, 1)]).toEqual(whole); // as if never stopped
  await expect(page.getByTestId('resume-banner')).toHaveCount(0);
});
