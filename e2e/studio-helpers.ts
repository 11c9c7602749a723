// Shared helpers for the studio e2e specs: read the zustand stores the page exposes as
// window.__besaStore (the data the charts draw), and a small, SwiftShader-friendly run config.
import { expect, type Page } from '@playwright/test';

/** The micro model with few, short calibration windows and a short eval (SwiftShader is slow). */
export const MICRO_HASH = '#model=micro&method=besa&samples=4&seqlen=32&seed=0&evalwin=4&eval=sotu-eval&sparsity=0.5';

export async function runState<T>(page: Page, pick: string): Promise<T> {
  return page.evaluate((p) => {
    const s = (window as unknown as { __besaStore: Record<string, { getState(): Record<string, unknown> }> }).__besaStore;
    return new Function('s', `return (${p})(s)`)(s);
  }, pick) as Promise<T>;
}

export async function openStudio(page: Page, hash = MICRO_HASH): Promise<void> {
  await page.goto('/' + hash);
  await expect(page.getByTestId('adapter')).toContainText('GPU:');
  await expect(page.getByTestId('model-card')).toBeVisible();
}

export async function waitStatus(page: Page, status: string, timeout = 180_000): Promise<void> {
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', status, { timeout });
}
