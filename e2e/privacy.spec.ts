/**
 * What the studio promises about your data, checked in real Chromium:
 * - after the page has loaded, nothing goes over the network while a dataset is imported, a model
 *   trained, tried and exported (every request is recorded, the engine's worker included);
 * - the built app runs under its Content-Security-Policy with zero violations, and eval is refused;
 * - file names and table cells are shown as text: script payloads in them execute nothing.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors, dropFolder, SAMPLE_DIR } from './helpers.ts';

/** Records CSP violations in the page (the listener is installed before any app script runs). */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const fromConsole: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) fromConsole.push(m.text());
  });
  return async () => [...fromConsole, ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp))];
}

test('no network request while importing, training, trying and exporting; the CSP holds with zero violations', async ({ page, context }) => {
  const errors = collectPageErrors(page);
  const violations = await watchCsp(page);
  const requests: string[] = [];
  const record = (url: string): void => {
    // blob: and data: URLs never leave the tab.
    if (/^https?:/.test(url)) requests.push(url);
  };
  page.on('request', (r) => record(r.url()));
  context.on('request', (r) => record(r.url()));
  page.on('worker', (w) => requests.push(`(worker started: ${w.url()})`));

  await page.goto('./?backend=wasm');
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  // Loading the page fetched the app, the built-in model and the sample: that is the only traffic.
  expect(requests.some((u) => u.includes('models/shapes-cnn/model.json'))).toBe(true);
  const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '');
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).not.toContain("'unsafe-eval'");
  // The policy is enforced, not only present: an injected inline script is refused (and reported).
  expect(
    await page.evaluate(async () => {
      const s = document.createElement('script');
      s.textContent = '(window as any).__inline = 1'.replace(' as any', '');
      document.head.append(s);
      await new Promise((r) => setTimeout(r, 50));
      return (window as unknown as { __inline?: number }).__inline ?? 'refused';
    }),
  ).toBe('refused');
  expect((await violations()).some((v) => v.includes('script-src'))).toBe(true);
  await page.evaluate(() => ((window as unknown as { __csp: string[] }).__csp.length = 0));
  const consoleBefore = (await violations()).length;

  requests.length = 0;
  await dropFolder(page, 'dataset-dropzone', SAMPLE_DIR);
  await expect(page.getByTestId('dataset-name')).toHaveText('shapes-sample');
  await page.getByTestId('epochs-input').fill('3');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 120_000 });
  await page.getByTestId('try-input').setInputFiles(join(SAMPLE_DIR, 'star', 'star-000.png'));
  await expect(page.getByTestId('prediction-row').first()).toBeVisible();
  for (const id of ['download-weights', 'download-bundle']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
    expect(await download.failure()).toBeNull();
  }
  expect(requests).toEqual([]);
  expect((await violations()).slice(consoleBefore)).toEqual([]);
  // The refused inline script above logged its own console error; nothing else did.
  expect(errors.filter((e) => !e.includes('Content Security Policy'))).toEqual([]);
});

test('file names and table cells with script payloads are shown as text and run nothing', async ({ page }) => {
  const errors = collectPageErrors(page);
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs += 1;
    void d.dismiss();
  });
  await page.goto('./?backend=wasm');
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });

  const payload = '<img src=x onerror="window.__xss=1;alert(1)">';
  const dir = join(mkdtempSync(join(tmpdir(), 'tabtune-xss-')), 'evil');
  for (const cls of [payload, 'ring']) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (const i of ['000', '001', '002']) copyFileSync(join(SAMPLE_DIR, 'ring', `ring-${i}.png`), join(dir, cls, `${i}.png`));
  }
  writeFileSync(join(dir, 'ring', `${payload}.txt`), '<script>window.__xss=2</script>');
  await dropFolder(page, 'dataset-dropzone', dir);
  await expect(page.getByTestId('dataset-name')).toHaveText('evil');
  // The class and the stray file are listed by their names, as text.
  await expect(page.getByText(payload, { exact: false }).first()).toBeVisible();

  const csv = join(dir, '..', 'evil.csv');
  writeFileSync(csv, `"${payload.replace(/"/g, '""')}",label\n${Array.from({ length: 30 }, (_, i) => `"<script>window.__xss=3</script>${i % 3}",${i % 2 ? '<b>bold</b>' : 'plain'}`).join('\n')}\n`);
  await page.getByTestId('dataset-csv-input').setInputFiles(csv);
  await expect(page.getByTestId('table-summary')).toBeVisible();
  await expect(page.getByTestId('table-column').filter({ hasText: payload })).toBeVisible();
  await expect(page.getByTestId('table-classes')).toContainText('<b>bold</b>');

  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(await page.locator('b:text("bold")').count()).toBe(0);
  expect(dialogs).toBe(0);
  expect(errors.filter((e) => !e.includes('net::ERR'))).toEqual([]);
});
