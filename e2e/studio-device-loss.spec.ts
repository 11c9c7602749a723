// A lost GPU device mid-run (driver reset, tab moved to another GPU, ...) must not cost the user the
// finished blocks: the studio says what to do (reload), the run is not shown as completed, and after a
// reload the IndexedDB checkpoint resumes the run to the same result as an uninterrupted run.
// The loss is forced through a test-only hook that exists only when the page URL carries ?e2e-hooks=1
// (src/main.tsx installs window.__besaTest, the Worker refuses 'test-lose-device' unless armed): it
// calls the real GPUDevice.destroy(), so every later GPU call of the running job really fails, and
// src/gpu/device.ts reports that destroy as a loss (a plain destroy() is our own teardown, not a loss).
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { RunReport } from '../src/prune/report';
import { blockAllocation, blockStatuses as statuses, openStudio, runReport as report, stepCounts, waitStatus } from './studio-helpers';

// The device-loss path is about WebGPU, so the engine is forced (auto may pick WASM on a software adapter).
const HASH = '#model=micro&method=besa&samples=4&seqlen=32&seed=0&evalwin=2&eval=sotu-eval&sparsity=0.5&engine=webgpu';

/** What must not depend on the interruption: the zeros of every linear of every block. */
const zerosOf = (r: RunReport) =>
  r.allocation.map((b) => ({ block: b.block, zeros: Object.fromEntries(Object.entries(b.layers).map(([k, l]) => [k, l.zeros])) }));

test('a device lost mid-run: notice, block 0 kept, no accidental restart, and a reload resumes to the uninterrupted result', async ({
  page,
}, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Without the flag the hook does not exist (normal use cannot reach it).
  await openStudio(page, HASH, { hooks: false });
  expect(await page.evaluate(() => '__besaTest' in window || '__besaStore' in window)).toBe(false);
  await openStudio(page, HASH);
  await page.getByTestId('reset').click(); // no checkpoint left by earlier tests

  // Reference: the same config, uninterrupted (same seed ⇒ same calibration windows ⇒ same masks).
  await page.getByTestId('run').click();
  await waitStatus(page, 'completed');
  const ref = (await report(page))!;
  expect(ref).toMatchObject({ status: 'completed', startBlock: 0, completedBlocks: 2 });

  // The interrupted run: lose the device once block 0 is committed, while block 1 is being pruned.
  await page.getByTestId('reset').click();
  await expect.poll(() => statuses(page)).toEqual(['dense', 'dense']);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('block-0')).toHaveAttribute('data-status', 'pruned');
  expect(await statuses(page)).toEqual(['pruned', 'running']); // mid-run: block 1 not finished yet
  await page.evaluate(() => window.__besaTest!.loseDevice());

  // The user is told what happened and what to do; the run is failed, not completed; block 0 is kept.
  const lost = page.getByTestId('device-lost');
  await expect(lost).toContainText('The GPU device was lost (simulated loss');
  await expect(lost).toContainText('reload the page');
  await expect(lost).toContainText('continue from the last completed block');
  await expect(lost).toContainText('press Resume');
  await waitStatus(page, 'failed');
  expect(await statuses(page)).toEqual(['pruned', 'dense']); // block 1's half-learned masks are not applied
  await expect(page.getByTestId('report-summary')).toHaveCount(0); // no report of a finished run
  const block0 = await blockAllocation(page, 0);
  expect(block0).toEqual(ref.allocation[0].layerSparsity); // same seed ⇒ the very same block-0 masks
  await page.screenshot({ path: 'e2e/screenshots/studio-device-lost.png', fullPage: true });

  // Starting again in this tab must be impossible: a fresh run starts by clearing the checkpoint.
  // The buttons are disabled (and the Worker refuses 'run' after a loss as a second line of defence).
  for (const id of ['run', 'step', 'step-block']) await expect(page.getByTestId(id)).toBeDisabled();
  expect(await statuses(page)).toEqual(['pruned', 'dense']);

  // Reload: a new device, the checkpoint offers the resume after block 0.
  await page.reload();
  await expect(page.getByTestId('resume-banner')).toContainText('after block 0');
  await expect(page.getByTestId('device-lost')).toHaveCount(0);
  await page.getByTestId('resume').click();
  await waitStatus(page, 'completed');
  expect(await statuses(page)).toEqual(['pruned', 'pruned']);
  expect(await stepCounts(page)).toEqual([0, 4]); // block 0 not re-run

  // The exported report: all blocks pruned, the same allocation (zeros per linear) as the uninterrupted run.
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const path = info.outputPath(d.suggestedFilename());
  await d.saveAs(path);
  const resumed = JSON.parse(readFileSync(path, 'utf8')) as RunReport;
  expect(resumed).toMatchObject({ status: 'completed', startBlock: 1, completedBlocks: 2 });
  expect(zerosOf(resumed)).toEqual(zerosOf(ref));
  expect(resumed.achievedSparsity).toBe(ref.achievedSparsity);
  expect(resumed.achievedSparsity).toBeGreaterThan(0.3);
  await expect(page.getByTestId('report-summary')).toContainText(
    `completed · 2/2 blocks · achieved sparsity ${(ref.achievedSparsity * 100).toFixed(2)}%`,
  );
  expect(errors).toEqual([]);
});
