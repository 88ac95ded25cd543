import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../errors.ts';
import { assertImageSize, checkImageHeader, MAX_IMAGE_PIXELS, readImageHeader } from './imageHeader.ts';

const png = new Uint8Array(readFileSync(fileURLToPath(new URL('../../public/datasets/shapes-sample/heart/heart-000.png', import.meta.url))));
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

describe('readImageHeader', () => {
  it('reads a real PNG IHDR', () => {
    expect(readImageHeader(png)).toEqual({ format: 'PNG', width: 64, height: 64 });
  });

  it('reads JPEG SOF after other segments, GIF, WebP (VP8, VP8L, VP8X) and BMP sizes', () => {
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, 0, 6, 1, 2, 3, 4, 0xff, 0xc2, 0, 17, 8, 0x01, 0x2c, 0x02, 0x58, 3]);
    expect(readImageHeader(jpeg)).toEqual({ format: 'JPEG', width: 600, height: 300 });
    expect(readImageHeader(Uint8Array.from([...ascii('GIF89a'), ...le16(640), ...le16(480), 0]))).toEqual({ format: 'GIF', width: 640, height: 480 });
    const riff = (chunk: string, body: number[]) => Uint8Array.from([...ascii('RIFF'), 0, 0, 0, 0, ...ascii('WEBP'), ...ascii(chunk), body.length, 0, 0, 0, ...body]);
    expect(readImageHeader(riff('VP8 ', [0, 0, 0, 0x9d, 1, 0x2a, ...le16(320), ...le16(200)]))).toEqual({ format: 'WebP', width: 320, height: 200 });
    const bits = (320 - 1) | ((200 - 1) << 14);
    expect(readImageHeader(riff('VP8L', [0x2f, bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, bits >>> 24]))).toEqual({ format: 'WebP', width: 320, height: 200 });
    expect(readImageHeader(riff('VP8X', [0, 0, 0, 0, ...le16(319), 0, ...le16(199), 0]))).toEqual({ format: 'WebP', width: 320, height: 200 });
    const bmp = new Uint8Array(54);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setUint32(14, 40, true);
    new DataView(bmp.buffer).setInt32(18, 800, true);
    new DataView(bmp.buffer).setInt32(22, -600, true);
    expect(readImageHeader(bmp)).toEqual({ format: 'BMP', width: 800, height: 600 });
  });

  it('returns null for unknown or cut-short headers', () => {
    expect(readImageHeader(new Uint8Array(0))).toBeNull();
    expect(readImageHeader(png.subarray(0, 20))).toBeNull();
    expect(readImageHeader(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]))).toBeNull();
    expect(readImageHeader(new TextEncoder().encode('hello, world'))).toBeNull();
  });
});

describe('image size limit', () => {
  it('refuses more than 90 megapixels with image-too-large before any decoding', async () => {
    expect(() => assertImageSize({ format: 'PNG', width: 9487, height: 9487 })).toThrow(EngineError);
    expect(() => assertImageSize({ format: 'PNG', width: 9486, height: 9486 })).not.toThrow();
    const huge = png.slice();
    new DataView(huge.buffer).setUint32(16, 100_000);
    new DataView(huge.buffer).setUint32(20, 100_000);
    const error = await checkImageHeader(new Blob([huge])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('image-too-large');
    expect((error as EngineError).message).toMatch(/100000 x 100000 pixels .* above the 90 megapixels limit/);
    expect(MAX_IMAGE_PIXELS).toBe(90_000_000);
    await expect(checkImageHeader(new Blob([png]))).resolves.toEqual({ format: 'PNG', width: 64, height: 64 });
  });
});
