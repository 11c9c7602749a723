import { expect, test } from '@playwright/test';

test('the studio finds the WebGPU adapter and the tiled matmul matches the CPU reference in the page', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('adapter')).toContainText('GPU:');
  const check = page.getByTestId('selfcheck');
  await expect(check).toBeVisible();
  const json = JSON.parse((await check.getAttribute('data-json')) ?? 'null');
  expect(json, 'self-check result').not.toBeNull();
  expect(json.cases.length).toBe(9);
  for (const c of json.cases) expect(c.maxRelErr, `${c.trans} ${c.M}x${c.N}x${c.K}`).toBeLessThanOrEqual(1e-5);
  expect(json.ok).toBe(true);
  console.log(
    `adapter: ${json.adapter}; worst rel err ${Math.max(...json.cases.map((c: { maxRelErr: number }) => c.maxRelErr)).toExponential(2)}`,
  );
  await page.screenshot({ path: 'e2e/screenshots/selfcheck.png', fullPage: true });
  expect(errors).toEqual([]);
});
