import { expect, test } from '@playwright/test';

test('without WebGPU the studio shows the fallback page, not a blank screen', async ({ page }) => {
  await page.goto('/');
  const fallback = page.getByTestId('no-webgpu');
  await expect(fallback).toBeVisible();
  await expect(fallback).toContainText('--enable-unsafe-webgpu');
  await page.screenshot({ path: 'e2e/screenshots/no-webgpu.png', fullPage: true });
});

test('a browser without navigator.gpu at all also gets the fallback page', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await page.goto('/');
  await expect(page.getByTestId('no-webgpu')).toContainText('navigator.gpu');
});
