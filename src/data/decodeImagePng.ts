import { decode } from 'fast-png';
import { EngineError } from '../errors.ts';
import { centerSquare, rgbaToRgb, type DecodedImage } from './decodeImage.ts';
import { checkImageHeader } from './imageHeader.ts';

/**
 * A PNG-only decoder for Node (unit tests and the command line): fast-png decodes, then a centred
 * square crop is resized with area averaging (close to what a browser canvas does when shrinking).
 */
export async function decodeImagePng(file: Blob, width: number, height: number): Promise<DecodedImage> {
  // The declared size first: a small file can declare a canvas of billions of pixels.
  const header = await checkImageHeader(file);
  if (header?.format === 'PNG' && (header.width === 0 || header.height === 0)) {
    throw new EngineError('image-corrupt', `not a readable PNG (its header declares ${header.width} x ${header.height} pixels).`);
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes, { checkCrc: true });
  } catch {
    throw new EngineError('image-corrupt', 'not a readable PNG (corrupt data or another format).');
  }
  // Indexed PNGs carry palette indices in `data`: expand them to RGB(A) first.
  const palette = png.palette;
  const channels = palette ? (palette[0]?.length ?? 3) : png.channels;
  const src = palette ? expandPalette(png.data, palette) : png.data;
  const depthScale = png.depth === 16 ? 1 / 257 : 1;
  const { sx, sy, size } = centerSquare(png.width, png.height);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const y0 = sy + Math.floor((y * size) / height);
    const y1 = Math.max(y0 + 1, sy + Math.floor(((y + 1) * size) / height));
    for (let x = 0; x < width; x++) {
      const x0 = sx + Math.floor((x * size) / width);
      const x1 = Math.max(x0 + 1, sx + Math.floor(((x + 1) * size) / width));
      const acc = [0, 0, 0, 0];
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const p = (yy * png.width + xx) * channels;
          const g = (src[p] ?? 0) * depthScale;
          const px = channels >= 3 ? [g, (src[p + 1] ?? 0) * depthScale, (src[p + 2] ?? 0) * depthScale] : [g, g, g];
          const a = channels === 4 || channels === 2 ? (src[p + channels - 1] ?? 255) * depthScale : 255;
          acc[0]! += px[0]!;
          acc[1]! += px[1]!;
          acc[2]! += px[2]!;
          acc[3]! += a;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      for (let c = 0; c < 4; c++) rgba[(y * width + x) * 4 + c] = Math.round(acc[c]! / n);
    }
  }
  return { rgb: rgbaToRgb(rgba, width * height), sourceWidth: png.width, sourceHeight: png.height };
}

function expandPalette(indices: ArrayLike<number>, palette: number[][]): Uint8Array {
  const width = palette[0]?.length ?? 3;
  const out = new Uint8Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    const entry = palette[indices[i] ?? 0] ?? [];
    for (let c = 0; c < width; c++) out[i * width + c] = entry[c] ?? 0;
  }
  return out;
}
