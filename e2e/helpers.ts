import { readFileSync } from 'node:fs';
import { expect, type Download, type Page } from '@playwright/test';

export const SAMPLE_DIR = new URL('../public/datasets/shapes-sample/', import.meta.url).pathname.replace(/\/$/, '');

/**
 * Drops a real folder from disk onto an element, the way a person drags one from their file manager:
 * Chromium's DevTools protocol carries the path as drag data, so the page sees a genuine directory
 * entry (webkitGetAsEntry) rather than a synthetic DataTransfer.
 */
export async function dropFolder(page: Page, testId: string, dir: string): Promise<void> {
  const target = page.getByTestId(testId);
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (!box) throw new Error(`${testId} is not visible`);
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: [dir], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
    await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
  }
  await cdp.detach();
}

export interface ParsedSafetensors {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; values: Float32Array }>;
}

/** An independent safetensors parser for tests, so the app's own reader is not trusted to check itself. */
export function parseSafetensors(bytes: Buffer): ParsedSafetensors {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const data = bytes.subarray(8 + n);
  const tensors: ParsedSafetensors['tensors'] = {};
  let covered = 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: [a, b] } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    expect(dtype).toBe('F32');
    expect(b - a).toBe(shape.reduce((p, d) => p * d, 1) * 4);
    const slice = Buffer.from(data.subarray(a, b));
    tensors[name] = { dtype, shape, values: new Float32Array(slice.buffer, slice.byteOffset, slice.byteLength / 4) };
    covered += b - a;
  }
  expect(covered).toBe(data.byteLength);
  return { metadata: (header.__metadata__ ?? {}) as Record<string, string>, tensors };
}

export async function downloadBytes(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFileSync(path);
}

/** Fails the test on any uncaught page or worker error. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
