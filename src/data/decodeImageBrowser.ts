import { EngineError } from '../errors.ts';
import { centerSquare, rgbaToRgb, type DecodedImage } from './decodeImage.ts';
import { checkImageHeader } from './imageHeader.ts';

/**
 * Decodes in the worker with the browser's own decoders (PNG, JPEG, GIF, WebP, BMP, AVIF):
 * createImageBitmap, then a centred square crop drawn onto an OffscreenCanvas at the model's size.
 */
export async function decodeImageBrowser(file: Blob, width: number, height: number): Promise<DecodedImage> {
  // The declared size first (PNG, JPEG, GIF, WebP, BMP headers): refuse a pixel flood before decoding.
  await checkImageHeader(file);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new EngineError('image-corrupt', 'the browser could not decode it (corrupt or unsupported image data).');
  }
  try {
    const { sx, sy, size } = centerSquare(bitmap.width, bitmap.height);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new EngineError('image-corrupt', 'no 2D canvas is available to resize it.');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, sx, sy, size, size, 0, 0, width, height);
    const { data } = ctx.getImageData(0, 0, width, height);
    return { rgb: rgbaToRgb(data, width * height), sourceWidth: bitmap.width, sourceHeight: bitmap.height };
  } finally {
    bitmap.close();
  }
}
