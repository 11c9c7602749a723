// Shared helpers for the studio e2e specs. State is read through the typed test hook the page installs
// with ?e2e-hooks=1 (window.__besaTest, src/testHooks.ts: the data the charts draw), inside
// page.evaluate; waits are on conditions (expect.poll, toHave…), never on fixed sleeps.
import { expect, type Page } from '@playwright/test';
import type {} from '../src/testHooks'; // declares window.__besaTest

/** The micro model with few, short calibration windows and a short eval (SwiftShader is slow). */
export const MICRO_HASH = '#model=micro&method=besa&samples=4&seqlen=32&seed=0&evalwin=4&eval=sotu-eval&sparsity=0.5';

/** Open the studio (with the test hook unless hooks: false) and wait for the adapter and the model card. */
export async function openStudio(page: Page, hash = MICRO_HASH, { hooks = true }: { hooks?: boolean } = {}): Promise<void> {
  await page.goto('/' + (hooks ? '?e2e-hooks=1' : '') + hash);
  await expect(page.getByTestId('adapter')).toContainText('GPU:');
  await expect(page.getByTestId('model-card')).toBeVisible();
}

export async function waitStatus(page: Page, status: string, timeout = 180_000): Promise<void> {
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', status, { timeout });
}

/** Status of every block, in order ('dense' | 'running' | 'pruned'). */
export const blockStatuses = (page: Page) => page.evaluate(() => window.__besaTest!.runState().blocks.map((b) => b.status));

/** Optimiser steps recorded per block. */
export const stepCounts = (page: Page) => page.evaluate(() => window.__besaTest!.runState().blocks.map((b) => b.steps.length));

/** The run report of the last finished run (null before one). */
export const runReport = (page: Page) => page.evaluate(() => window.__besaTest!.runState().report);

/** The measured per-linear sparsity of block `b` (after its mask was applied). */
export const blockAllocation = (page: Page, b: number) =>
  page.evaluate((i) => window.__besaTest!.runState().blocks[i].final?.layerSparsity ?? null, b);

/**
 * A round trip through the Worker: when it resolves, the Worker has handled every request the page
 * sent before (e.g. the one a click just sent) and every event it posted before has reached the stores.
 */
export const workerState = (page: Page) => page.evaluate(() => window.__besaTest!.workerState());
