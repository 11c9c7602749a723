import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { MICRO_HASH, openStudio, waitStatus } from './studio-helpers';

const cardJson = async (page: import('@playwright/test').Page) =>
  JSON.parse((await page.getByTestId('model-card').getAttribute('data-json')) ?? '{}');

test('export writes a safetensors model that the studio loader reads back with the masks applied', async ({ page }, info) => {
  await openStudio(page, MICRO_HASH);
  await page.getByTestId('run').click();
  await waitStatus(page, 'completed');
  const achieved = (await page.evaluate(() => window.__besaTest!.runState().report?.achievedSparsity)) ?? NaN;
  expect(achieved).toBeGreaterThan(0.3);
  // Report JSON / CSV and a chart PNG first (one download each).
  const one = async (testId: string, within = page.locator('body')) => {
    const [d] = await Promise.all([page.waitForEvent('download'), within.getByTestId(testId).first().click()]);
    const path = info.outputPath(d.suggestedFilename());
    await d.saveAs(path);
    return { name: d.suggestedFilename(), bytes: readFileSync(path) };
  };
  const json = await one('export-json');
  expect(json.name).toMatch(/^micro-besa-0\.5-\d{4}-\d{2}-\d{2}\.report\.json$/); // the model by name, not its path
  expect(await cardJson(page)).toMatchObject({ name: 'micro' });
  const report = JSON.parse(json.bytes.toString('utf8'));
  expect(report).toMatchObject({
    schema: 'besa-studio/run-report@1',
    status: 'completed',
    completedBlocks: 2,
    config: { seed: 0, nsamples: 4, seqlen: 32 },
  });
  expect(report.allocation).toHaveLength(2);
  const csv = await one('export-csv');
  const lines = csv.bytes.toString('utf8').trim().split('\n');
  expect(lines[0]).toBe('block,layer,rows,cols,numel,zeros,sparsity,expected_sparsity,reference_block_sparsity');
  expect(lines).toHaveLength(1 + 2 * 7);
  // the llm-compressor recipe (docs/exports.md §4): BESA's measured per-linear sparsities for Wanda, one per named linear
  const recipe = await one('export-recipe');
  expect(recipe.name).toMatch(/\.recipe\.yaml$/);
  const yaml = recipe.bytes.toString('utf8');
  expect(yaml).toMatch(/^sparsity_stage:\n {2}sparsity_modifiers:\n {4}WandaPruningModifier:\n {6}sparsity:\n/m);
  expect(yaml).toContain("- 'model.layers.1.mlp.down_proj'");
  expect(yaml.match(/^ {8}- \d/gm)).toHaveLength(14);
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('chart-sparsity').getByRole('button', { name: 'PNG' }).click(),
  ]);
  const pngPath = info.outputPath('sparsity.png');
  await png.saveAs(pngPath);
  const pngBytes = readFileSync(pngPath);
  expect(pngBytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(pngBytes.length).toBeGreaterThan(2000); // a drawn chart, not an empty canvas
  // PNGs stand alone (issue #14): the heatmap (HTML, drawn from its data) is not blank; every PNG has a header
  const [hm] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('chart-heatmap').getByRole('button', { name: 'PNG' }).click(),
  ]);
  const hmBytes = readFileSync((await hm.path())!);
  const colours = async (b: Buffer) =>
    page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      [c.width, c.height] = [img.width, img.height];
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return { distinct: seen.size, width: img.width, height: img.height };
    }, b.toString('base64'));
  const hmPixels = await colours(hmBytes);
  expect(hmPixels.distinct).toBeGreaterThan(20); // cells in several shades, text, the scale
  expect(hmPixels.height).toBeGreaterThan(2 * 44 * 2); // header + 3 rows of cells at 2x
  expect((await colours(pngBytes)).distinct).toBeGreaterThan(20);

  // The model downloads as one zip of its folder, named after the model, method, sparsity and date (issue #14).
  const zipOf = async (testId: string) => {
    const z = await one(testId);
    expect(z.name).toMatch(
      new RegExp(`^micro-besa-0\\.5-\\d{4}-\\d{2}-\\d{2}${testId === 'export-sparse' ? '-sparse-bitmask' : ''}\\.zip$`),
    );
    const entries = unzipSync(new Uint8Array(z.bytes));
    const folder = z.name.replace(/\.zip$/, '');
    expect(Object.keys(entries).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json'].map((f) => `${folder}/${f}`));
    return Object.fromEntries(Object.entries(entries).map(([k, v]) => [k.slice(folder.length + 1), Buffer.from(v)]));
  };
  // the sparse export first (docs/exports.md §1): bitmask groups instead of the linears' weights, and the config block
  const sparse = await zipOf('export-sparse');
  const sp = sparse['model.safetensors'];
  const spHeader = JSON.parse(sp.subarray(8, 8 + Number(sp.readBigUInt64LE(0))).toString('utf8'));
  expect(spHeader['model.layers.0.self_attn.q_proj.bitmask'].shape).toEqual([32, 4]);
  expect(spHeader['model.layers.0.self_attn.q_proj.weight']).toBeUndefined();
  const spConfig = JSON.parse(sparse['config.json'].toString('utf8'));
  expect(spConfig.quantization_config.sparsity_config.format).toBe('sparse-bitmask');
  // stored bytes (docs/exports.md §3): the report's sizes are shown, and the sparse file is that size plus its metadata
  expect(report.storage['sparse-24-bitmask']).toBeNull(); // a BESA run is not 2:4
  await expect(page.getByTestId('stored-bytes')).toContainText(/dense [\d.]+ [KM]iB · sparse-bitmask [\d.]+ [KM]iB \(0\.\d\d×\)/);
  expect(sp.length - report.storage['sparse-bitmask']).toBeGreaterThan(0);
  expect(sp.length - report.storage['sparse-bitmask']).toBeLessThan(1024);
  await expect(page.getByTestId('export-sparse24')).toBeDisabled();
  const dense = await zipOf('export-model');
  const st = dense['model.safetensors'];
  const headerLen = Number(st.readBigUInt64LE(0));
  const header = JSON.parse(st.subarray(8, 8 + headerLen).toString('utf8'));
  expect(header.__metadata__['besa-studio.method']).toBe('besa');
  expect(header['model.layers.0.self_attn.q_proj.weight'].shape).toEqual([32, 32]);
  const files = Object.entries(dense).map(([name, bytes]) => {
    const path = info.outputPath('unzipped', name);
    mkdirSync(info.outputPath('unzipped'), { recursive: true });
    writeFileSync(path, bytes);
    return { name, path };
  });
  // Load the exported files through the same file input a user would use.
  await page.getByTestId('model-files').setInputFiles(files.map((f) => f.path));
  await expect.poll(async () => (await cardJson(page)).linearSparsity, { timeout: 60_000 }).toBeGreaterThan(0);
  const card = await cardJson(page);
  expect(card.params).toBe(47776);
  expect(card.linearSparsity).toBeCloseTo(achieved, 9); // every zero of every pruned linear survived the round trip
  expect(await page.getByTestId('model-error').count()).toBe(0);
});

test('a corrupt safetensors file shows a message naming the file and the problem', async ({ page }) => {
  await openStudio(page, MICRO_HASH);
  const dir = join(process.cwd(), 'public/models/micro');
  const bad = Buffer.alloc(4096, 0x41); // "AAAA…": the 8-byte header length is absurd
  await page.getByTestId('model-files').setInputFiles([
    { name: 'config.json', mimeType: 'application/json', buffer: readFileSync(join(dir, 'config.json')) },
    { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: bad },
    { name: 'tokenizer.json', mimeType: 'application/json', buffer: readFileSync(join(dir, 'tokenizer.json')) },
  ]);
  const err = page.getByTestId('model-error');
  await expect(err).toBeVisible();
  await expect(err).toContainText('model.safetensors');
  expect(['HeaderTooLargeError', 'CorruptFileError', 'TruncatedFileError']).toContain(await err.getAttribute('data-error-name'));
  await page.screenshot({ path: 'e2e/screenshots/studio-bad-file.png', fullPage: true });
  // A folder with no model at all is named too.
  await page.getByTestId('model-files').setInputFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') }]);
  await expect(err).toContainText('no model found');
  // The previously loaded model stays usable.
  expect((await cardJson(page)).params).toBe(47776);
});

test('the whole RunConfig + seed live in the URL hash: edits are written, a reload reads them back', async ({ page }) => {
  await openStudio(page, MICRO_HASH);
  await page.getByTestId('sparsity').fill('0.6');
  await page.getByTestId('seed').fill('7');
  await page.getByTestId('lambda').fill('2.5');
  await page.getByTestId('sigmoid').uncheck();
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('sparsity=0.6');
  const hash = await page.evaluate(() => location.hash);
  expect(hash).toContain('seed=7');
  expect(hash).toContain('lambda=2.5');
  expect(hash).toContain('sigmoid=0');
  await page.reload();
  await expect(page.getByTestId('model-card')).toBeVisible();
  const cfg = await page.evaluate(() => window.__besaTest!.configState().config);
  expect(cfg).toMatchObject({ sparsity: 0.6, seed: 7, nsamples: 4, besa: { lambda: 2.5, sigmoid: false } });
  await expect(page.getByTestId('sparsity')).toHaveValue('0.6');
});

test('bad values in a shared link are named in a notice, with what is allowed and what was kept', async ({ page }) => {
  await openStudio(page, '#model=nosuch&method=wanda&sparsity=1.5&samples=4&engine=tpu');
  const notice = page.getByTestId('hash-notice');
  await expect(notice).toContainText('3 settings in the link could not be used');
  await expect(notice).toContainText('target sparsity "1.5" [sparsity]: must be a number in (0, 1); kept 0.5');
  await expect(notice).toContainText('engine "tpu" [engine]: must be one of auto, webgpu, wasm, cpu; kept auto');
  await expect(notice).toContainText('model "nosuch" [model]: not found; the bundled models are sotu-llama-3m, sotu-gpt2-3m, micro');
  // the valid entries were used, the default model was loaded instead of the unknown one
  const cfg = await page.evaluate(() => window.__besaTest!.configState().config);
  expect(cfg).toMatchObject({ method: 'wanda', nsamples: 4, sparsity: 0.5 });
  await expect(page.getByTestId('model-card')).not.toContainText('nosuch');
  await page.getByTestId('hash-notice-dismiss').click();
  await expect(notice).toHaveCount(0);
});

test('picking a bundled model fits the sequence length to its context, and says so', async ({ page }) => {
  await openStudio(page, '#model=micro&seqlen=200&samples=4');
  await expect(page.getByTestId('model-adjusted')).toHaveText(
    "Adjusted to this model: sequence length 200 → 128: micro's context is 128 tokens.",
  );
  expect(await page.evaluate(() => window.__besaTest!.configState().config.seqlen)).toBe(128);
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('seqlen=128');
});

test("dropping a model folder's files on the Model panel loads them", async ({ page }) => {
  await openStudio(page, MICRO_HASH);
  await page.evaluate(async () => {
    const dt = new DataTransfer();
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json']) {
      const b = await (await fetch(`/models/micro/${f}`)).blob();
      dt.items.add(new File([b], f));
    }
    const zone = document.querySelector('.dropzone')!;
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await expect.poll(async () => (await cardJson(page)).name).toBe('selected files');
  expect(await cardJson(page)).toMatchObject({ params: 47776, nLayers: 2, vocab: 384, linearSparsity: 0 });
});
