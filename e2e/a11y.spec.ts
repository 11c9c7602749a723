// Accessibility (issue #14): axe-core on the run, learn and compare views after a finished run, and with the
// dark colour scheme: no serious or critical violation.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { openStudio, waitStatus } from './studio-helpers';

async function seriousViolations(page: import('@playwright/test').Page) {
  const r = await new AxeBuilder({ page }).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
}

for (const scheme of ['light', 'dark'] as const)
  test(`axe-core: no serious or critical violations on the run, learn and compare views (${scheme})`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.emulateMedia({ colorScheme: scheme });
    await openStudio(page);
    await page.getByTestId('run').click();
    await waitStatus(page, 'completed');
    expect(await seriousViolations(page), 'run view').toEqual([]);
    await page.getByTestId('tab-learn').click();
    await expect(page.getByTestId('learn-panel')).toBeVisible();
    expect(await seriousViolations(page), 'learn view').toEqual([]);
    await page.getByTestId('tab-compare').click();
    await expect(page.getByTestId('compare-panel')).toBeVisible();
    expect(await seriousViolations(page), 'compare view').toEqual([]);
    await page.getByTestId('sweep-on').check();
    await page.getByTestId('sweep-sparsities').fill('0.3, 2');
    await expect(page.getByTestId('sweep-problem')).toBeVisible();
    expect(await seriousViolations(page), 'compare view, sweep with a bad list').toEqual([]);
    // invalid settings: marked fields and the list by Run (the error colour must keep its contrast)
    await page.getByTestId('tab-run').click();
    await page.getByTestId('sparsity').fill('1.5');
    await expect(page.getByTestId('settings-problems')).toBeVisible();
    expect(await seriousViolations(page), 'run view with invalid settings').toEqual([]);
  });
