import { expect, test, type Page } from '@playwright/test';
import { MICRO_HASH, openStudio, waitStatus } from './studio-helpers';

// docs/security.md: the built page carries a Content-Security-Policy meta tag, and a pruning run talks
// to no origin but the studio's own.

/** Record every CSP violation the page (or its Worker) reports, before any script of the app runs. */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}
const violations = (page: Page) => page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);

test('the built page has a CSP that blocks requests to other origins', async ({ page }) => {
  await recordViolations(page);
  await page.goto('/');
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("connect-src 'self'");
  expect(csp).toContain("object-src 'none'");
  await expect(page.getByTestId('adapter')).toContainText('GPU:');
  expect(await violations(page), 'the studio itself violates nothing').toEqual([]);
  // A request to another origin (loopback, nothing is sent) is refused by the policy, not by the network.
  const outcome = await page.evaluate(async () => {
    try {
      await fetch('http://127.0.0.2:9/leak');
      return 'sent';
    } catch {
      return 'refused';
    }
  });
  expect(outcome).toBe('refused');
  await expect.poll(() => violations(page)).toEqual([expect.stringMatching(/^connect-src http:\/\/127\.0\.0\.2:9/)]);
});

test('a BESA run and its export make no request to any other origin', async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const foreign: string[] = [];
  const seen: string[] = [];
  // Requests of the page and of its dedicated Worker (Chromium reports both through the page).
  page.on('request', (r) => {
    const url = r.url();
    seen.push(url);
    if (!url.startsWith('data:') && !url.startsWith('blob:') && new URL(url).origin !== origin) foreign.push(url);
  });
  await recordViolations(page);
  await openStudio(page, MICRO_HASH);
  await page.getByTestId('run').click();
  await waitStatus(page, 'completed');
  // Exports go through blob: URLs: the model's folder as one zip and a chart PNG (an SVG drawn via <img>).
  let downloads = 0;
  page.on('download', () => downloads++);
  await page.getByTestId('export-model').click();
  await expect.poll(() => downloads, { timeout: 30_000 }).toBe(1);
  await page.getByTestId('chart-sparsity').getByRole('button', { name: 'PNG' }).click();
  await expect.poll(() => downloads, { timeout: 30_000 }).toBe(2);
  expect(
    seen.some((u) => u.includes('/models/micro/')),
    'the model was fetched from the studio itself',
  ).toBe(true);
  expect(foreign).toEqual([]);
  expect(await violations(page)).toEqual([]);
});
