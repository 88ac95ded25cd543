/**
 * The built studio on a static host that sends no COOP/COEP headers: the page is not cross-origin
 * isolated, so WASM runs on one thread, still trains, and the badge says why. (The isolated case, on
 * every core, is the WASM flow in studio.spec.ts, served by vite preview with the headers.)
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { collectPageErrors } from './helpers.ts';

const DIST = new URL('../dist/', import.meta.url).pathname;
// Beside the preview's port (E2E_PORT), so that checkouts running side by side do not collide.
const PLAIN_PORT = Number(process.env.E2E_PORT ?? 4317) + 1000;
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };
let server: Server;

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = readFileSync(join(DIST, path.endsWith('/') ? `${path}index.html` : path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? (path.endsWith('/') ? 'text/html' : 'application/octet-stream') });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(PLAIN_PORT, '127.0.0.1', resolve));
});
test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('without COOP/COEP: one WASM thread, the reason in the badge, and training still runs', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto(`http://127.0.0.1:${PLAIN_PORT}/?backend=wasm`);
  await expect(page.getByTestId('studio')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(false);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await expect(page.getByTestId('backend-threads')).toHaveText(' · 1 thread');
  if (cores > 1) {
    await expect(page.getByTestId('backend-threads')).toHaveAttribute('title', `1 thread (${cores} asked): the page is not cross-origin isolated; serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (README, "Serving the studio").`);
    await page.getByTestId('backend-why').click();
    await expect(page.getByTestId('backend-reason')).toContainText('not cross-origin isolated');
  }

  await page.getByTestId('epochs-input').fill('1');
  await page.getByTestId('train-button').click();
  await expect(page.getByTestId('run-state')).toHaveText('done', { timeout: 120_000 });
  expect(errors).toEqual([]);
});
