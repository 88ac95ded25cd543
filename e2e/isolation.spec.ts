/**
 * The studio is served cross-origin isolated (COOP/COEP, vite.config.ts), so the WASM backend runs
 * TF.js' threaded SIMD build on every core, under the CSP, with no violation.
 */
import { expect, test } from '@playwright/test';
import { collectPageErrors } from './helpers.ts';

test('cross-origin isolated: WASM runs on every core, the CSP holds', async ({ page }) => {
  const errors = collectPageErrors(page);
  const csp: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) csp.push(m.text());
  });
  const response = await page.goto('./?backend=wasm');
  expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  // TF.js sizes its pool to the cores; a machine with one core would show 1 and prove nothing.
  expect(cores).toBeGreaterThan(1);
  await expect(page.getByTestId('backend-threads')).toHaveText(` · ${cores} threads`);
  expect(csp).toEqual([]);
  expect(errors).toEqual([]);
});
