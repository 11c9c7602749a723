import { expect, test } from '@playwright/test';
import { openStudio, waitStatus } from './studio-helpers';

// The bundled GPT-2 (issue #15, docs/gpt2.md): loaded from public/models/sotu-gpt2-3m like the default
// model, pruned with BESA through the same pipeline, with its layers named as HF names them in the
// heatmap and the allocation charts (no LLaMA gate/up/down anywhere).
const GPT2_HASH = '#model=sotu-gpt2-3m&method=besa&samples=2&seqlen=32&seed=0&evalwin=2&eval=sotu-eval&sparsity=0.5';
const GPT2_LABELS = ['c_attn.q', 'c_attn.k', 'c_attn.v', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'];

test('the bundled GPT-2 loads, BESA prunes all 3 blocks, and the charts name its 6 linears as HF does', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openStudio(page, GPT2_HASH);
  const card = JSON.parse((await page.getByTestId('model-card').getAttribute('data-json')) ?? '{}');
  expect(card).toMatchObject({ name: expect.stringContaining('sotu-gpt2-3m'), nLayers: 3, vocab: 2048 });
  await page.getByTestId('run').click();
  await waitStatus(page, 'completed');
  const blocks = await page.evaluate(() => window.__besaTest!.runState().blocks.map((b) => ({ status: b.status, final: b.final })));
  expect(blocks.map((b) => b.status)).toEqual(['pruned', 'pruned', 'pruned']);
  for (const b of blocks) {
    expect(Object.keys(b.final!.layerSparsity)).toEqual(['q', 'k', 'v', 'o', 'fc', 'proj']);
    expect(Math.abs(b.final!.blockSparsity - 0.5)).toBeLessThan(2e-3); // match-target: exactly the target per block
  }
  const heat = JSON.parse((await page.getByTestId('chart-heatmap').getAttribute('data-json')) ?? '{}');
  for (const row of heat.blocks) expect(row).toHaveLength(6);
  const heads = await page.getByTestId('chart-heatmap').locator('.hm-head[data-linear]').allTextContents();
  expect(heads).toEqual(GPT2_LABELS);
  await expect(page.getByTestId('chart-heatmap')).not.toContainText('gate');
  const ppl = await page.evaluate(() => window.__besaTest!.runState().perplexity);
  expect(ppl.dense[0].ppl).toBeGreaterThan(1);
  expect(ppl.pruned[0].ppl).toBeGreaterThan(ppl.dense[0].ppl * 0.9);
  await page.screenshot({ path: 'e2e/screenshots/studio-gpt2-run.png', fullPage: true });
  expect(errors).toEqual([]);
});
