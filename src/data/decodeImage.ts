/**
 * Image decoding is platform work: browsers decode natively (createImageBitmap), Node tests decode
 * PNG in JS. The engine takes a decoder, so the same engine runs in both.
 */
export interface DecodedImage {
  /** RGB bytes, [height, width, 3], resized to the model's input. */
  rgb: Uint8Array;
  /** The original size, for messages and later checks. */
  sourceWidth: number;
  sourceHeight: number;
}

export type ImageDecoder = (file: Blob, width: number, height: number) => Promise<DecodedImage>;

/** RGBA -> RGB, dropping alpha after compositing onto white (transparent PNG backgrounds read as white, not black). */
export function rgbaToRgb(rgba: Uint8ClampedArray | Uint8Array, pixels: number): Uint8Array {
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const a = (rgba[i * 4 + 3] ?? 255) / 255;
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round((rgba[i * 4 + c] ?? 0) * a + 255 * (1 - a));
  }
  return rgb;
}

/** The centred square crop of a w x h image: shapes keep their proportions when resized. */
export function centerSquare(w: number, h: number): { sx: number; sy: number; size: number } {
  const size = Math.min(w, h);
  return { sx: Math.floor((w - size) / 2), sy: Math.floor((h - size) / 2), size };
}

/**
 * RGB bytes [H*W*3] -> the channel count a model wants: 3 as is, 1 as luma (ITU-R BT.601, what
 * PIL's convert("L") does), 4 with an opaque alpha. The browser always decodes to RGB(A).
 */
export function toChannels(rgb: Uint8Array, pixels: number, channels: number): Uint8Array {
  if (channels === 3) return rgb;
  const out = new Uint8Array(pixels * channels);
  for (let i = 0; i < pixels; i++) {
    const r = rgb[i * 3] ?? 0;
    const g = rgb[i * 3 + 1] ?? 0;
    const b = rgb[i * 3 + 2] ?? 0;
    if (channels === 1) out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else {
      out.set([r, g, b, 255], i * 4);
    }
  }
  return out;
}
