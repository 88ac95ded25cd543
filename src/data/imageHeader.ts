/**
 * The declared size of an image, read from its header without decoding it (PNG IHDR, JPEG SOF, GIF
 * logical screen, WebP VP8/VP8L/VP8X, BMP info header), so a tiny file that declares a gigantic
 * canvas (a "pixel flood") is refused before a decoder allocates width x height x 4 bytes for it.
 */
import { EngineError } from '../errors.ts';

export type ImageFormat = 'PNG' | 'JPEG' | 'GIF' | 'WebP' | 'BMP';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Images above this many pixels are refused before decoding (`image-too-large`). */
export const MAX_IMAGE_PIXELS = 90_000_000;

/** How much of the file is read to find the size: a JPEG's SOF can sit after a 64 KiB EXIF block. */
export const HEADER_SNIFF_BYTES = 256 * 1024;

const u16be = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u16le = (b: Uint8Array, i: number): number => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, i: number): number => u16le(b, i) | ((b[i + 2] ?? 0) << 16);
const u32be = (b: Uint8Array, i: number): number => u16be(b, i) * 65536 + u16be(b, i + 2);
const u32le = (b: Uint8Array, i: number): number => u16le(b, i) + u16le(b, i + 2) * 65536;
const i32le = (b: Uint8Array, i: number): number => u32le(b, i) | 0;
const ascii = (b: Uint8Array, i: number, n: number): string => String.fromCharCode(...b.subarray(i, i + n));
const starts = (b: Uint8Array, magic: number[]): boolean => b.length >= magic.length && magic.every((m, i) => b[i] === m);

function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] as number;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    const len = u16be(b, i + 2);
    if (len < 2) return null;
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC): [len][precision][height][width].
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image / start of scan before any SOF
    i += 2 + len;
  }
  return null;
}

function webpSize(b: Uint8Array): { width: number; height: number } | null {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X' && b.length >= 30) return { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  if (chunk === 'VP8L' && b.length >= 25 && b[20] === 0x2f) {
    const bits = u32le(b, 21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8 ' && b.length >= 30) return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  return null;
}

/**
 * The format and declared size from the first bytes of a file (HEADER_SNIFF_BYTES is plenty), or
 * null when the format is not one of these or its header is cut short.
 */
export function readImageHeader(b: Uint8Array): ImageHeader | null {
  if (starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') return null;
    return { format: 'PNG', width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (starts(b, [0xff, 0xd8, 0xff])) {
    const size = jpegSize(b);
    return size && { format: 'JPEG', ...size };
  }
  if (b.length >= 10 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) {
    return { format: 'GIF', width: u16le(b, 6), height: u16le(b, 8) };
  }
  if (b.length >= 16 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') {
    const size = webpSize(b);
    return size && { format: 'WebP', ...size };
  }
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) {
    const dib = u32le(b, 14);
    if (dib === 12) return { format: 'BMP', width: u16le(b, 18), height: u16le(b, 20) };
    if (dib >= 40) return { format: 'BMP', width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)) };
    return null;
  }
  return null;
}

/** Throws `image-too-large` when the declared size is above MAX_IMAGE_PIXELS. */
export function assertImageSize(header: ImageHeader | null, maxPixels = MAX_IMAGE_PIXELS): void {
  if (!header) return;
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    const mp = (n: number) => `${Math.round(n / 1e5) / 10} megapixels`;
    throw new EngineError(
      'image-too-large',
      `the ${header.format} header declares ${header.width} x ${header.height} pixels (${mp(pixels)}), above the ${mp(maxPixels)} limit; resize the image before importing it.`,
    );
  }
}

/** Reads the header of a file and refuses it before decoding when it declares too many pixels. */
export async function checkImageHeader(file: Blob, maxPixels = MAX_IMAGE_PIXELS): Promise<ImageHeader | null> {
  const header = readImageHeader(new Uint8Array(await file.slice(0, HEADER_SNIFF_BYTES).arrayBuffer()));
  assertImageSize(header, maxPixels);
  return header;
}
