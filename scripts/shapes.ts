/**
 * Seeded procedural shape images, rasterized in pure TS (no canvas), so the built-in model and the sample
 * dataset can be regenerated bit-for-bit in Node and in tests.
 *
 * Every class is an inside-test in normalized image coordinates (x, y in [-1, 1], y down); a pixel's
 * coverage is the fraction of its supersamples that fall inside, which antialiases edges.
 */
import { type Rng, gaussianish, uniform } from './rng.ts';

/** Classes the base model learns. Half objects, half textures, so `embedding` encodes both outline and pattern cues. */
export const PRETRAIN_CLASSES = [
  'circle',
  'square',
  'triangle',
  'cross',
  'horizontal-stripes',
  'vertical-stripes',
  'dots',
  'checker',
] as const;

/** Classes of the sample fine-tuning dataset: disjoint from PRETRAIN_CLASSES, so the studio shows real transfer. */
export const SAMPLE_CLASSES = ['ring', 'star', 'heart', 'zigzag'] as const;

export type PretrainClass = (typeof PRETRAIN_CLASSES)[number];
export type SampleClass = (typeof SAMPLE_CLASSES)[number];
export type ShapeKind = PretrainClass | SampleClass;

/** A colour with channels in [0, 1]. */
export type Rgb = [number, number, number];

/** Inside-test in image coordinates: x, y in [-1, 1], y pointing down. */
export type InsideTest = (x: number, y: number) => boolean;

/** Everything random about one image except its pixel noise; independent of the output size. */
export interface Scene {
  kind: ShapeKind;
  foreground: Rgb;
  background: Rgb;
  /** Background colour at the far end of a linear gradient, so backgrounds are not flat. */
  backgroundFar: Rgb;
  gradientAngle: number;
  /** Standard deviation of per-pixel, per-channel noise, in [0, 1] units. */
  noise: number;
  inside: InsideTest;
}

/** Minimum luminance gap between foreground and background: keeps every image legible. */
const MIN_CONTRAST = 0.35;
/** Supersamples per axis: 4x4 = 16 samples per pixel. */
const SUPERSAMPLING = 4;
/**
 * Noise is drawn on a fixed 32x32 grid (the model's input size) whatever the output size: a 64x64 image resized
 * to 32x32 then has the same grain as the training images, and its PNG stays small (2x2 blocks compress well).
 */
const NOISE_GRID = 32;

export function luminance([r, g, b]: Rgb): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function randomColours(rng: Rng): { foreground: Rgb; background: Rgb } {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const foreground: Rgb = [rng(), rng(), rng()];
    const background: Rgb = [rng(), rng(), rng()];
    if (Math.abs(luminance(foreground) - luminance(background)) >= MIN_CONTRAST) {
      return { foreground, background };
    }
  }
  // Unreachable in practice (about half of random pairs pass), but keeps the function total.
  return { foreground: [1, 1, 1], background: [0, 0, 0] };
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Fractional part in [0, 1), also for negative numbers. */
function frac(v: number): number {
  return v - Math.floor(v);
}

/**
 * Places a local shape (drawn around the origin with radius about 1) at a random scale, position and rotation.
 * The position range shrinks with the scale so the object stays inside the frame.
 */
function placeObject(rng: Rng, local: InsideTest, maxRotation: number): InsideTest {
  const scale = uniform(rng, 0.45, 0.75);
  const margin = Math.max(0, 0.95 - scale);
  const cx = uniform(rng, -margin, margin);
  const cy = uniform(rng, -margin, margin);
  const angle = uniform(rng, -maxRotation, maxRotation);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return (x, y) => {
    const dx = (x - cx) / scale;
    const dy = (y - cy) / scale;
    return local(cos * dx + sin * dy, -sin * dx + cos * dy);
  };
}

/** A pattern over the whole frame, rotated by `angle` and shifted by a random phase; `local` gets rotated coordinates. */
function placeTexture(angle: number, local: InsideTest): InsideTest {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return (x, y) => local(cos * x + sin * y, -sin * x + cos * y);
}

/** Regular star with `points` tips at radius 1 and inner vertices at `innerRatio`, first tip pointing up. */
function starTest(points: number, innerRatio: number): InsideTest {
  const sector = (2 * Math.PI) / points;
  const half = sector / 2;
  // Edge from the tip A = (1, 0) to the inner vertex B, in a sector folded onto [0, half].
  const bx = innerRatio * Math.cos(half);
  const by = innerRatio * Math.sin(half);
  const ex = bx - 1;
  const ey = by;
  return (u, v) => {
    const r = Math.hypot(u, v);
    if (r > 1) return false;
    let phi = (Math.atan2(v, u) + Math.PI / 2) % sector;
    if (phi < 0) phi += sector;
    if (phi > half) phi = sector - phi;
    const qx = r * Math.cos(phi) - 1;
    const qy = r * Math.sin(phi);
    // Inside when q is on the origin's side of edge AB (the origin gives a positive cross product).
    return ex * qy - ey * qx >= 0;
  };
}

/** Builds the inside-test of one class, drawing its random parameters from `rng`. */
function shapeTest(kind: ShapeKind, rng: Rng): InsideTest {
  const fullTurn = Math.PI;
  switch (kind) {
    case 'circle':
      return placeObject(rng, (u, v) => u * u + v * v <= 0.81, 0);
    case 'square':
      return placeObject(rng, (u, v) => Math.abs(u) <= 0.7 && Math.abs(v) <= 0.7, fullTurn);
    case 'triangle': {
      // Equilateral, circumradius 1 (inradius 0.5): inside all three edge half-planes.
      const normals = [0, 1, 2].map((k) => Math.PI / 2 + (k * 2 * Math.PI) / 3);
      const nx = normals.map(Math.cos);
      const ny = normals.map(Math.sin);
      return placeObject(
        rng,
        (u, v) => nx.every((cx, k) => cx * u + (ny[k] ?? 0) * v <= 0.5),
        fullTurn,
      );
    }
    case 'cross': {
      const arm = uniform(rng, 0.16, 0.3);
      return placeObject(
        rng,
        (u, v) => {
          const au = Math.abs(u);
          const av = Math.abs(v);
          return (au <= arm && av <= 0.95) || (av <= arm && au <= 0.95);
        },
        fullTurn,
      );
    }
    case 'horizontal-stripes':
    case 'vertical-stripes': {
      const period = uniform(rng, 0.3, 0.6);
      const duty = uniform(rng, 0.35, 0.6);
      const phase = rng();
      // Only a slight tilt, or horizontal and vertical would overlap.
      const tilt = uniform(rng, -0.2, 0.2);
      const alongY = kind === 'horizontal-stripes';
      return placeTexture(tilt, (u, v) => frac((alongY ? v : u) / period + phase) < duty);
    }
    case 'dots': {
      const period = uniform(rng, 0.4, 0.7);
      const radius = period * uniform(rng, 0.22, 0.33);
      const r2 = radius * radius;
      const staggered = rng() < 0.5;
      const pu = rng();
      const pv = rng();
      return placeTexture(uniform(rng, 0, fullTurn), (u, v) => {
        const gv = v / period + pv;
        const row = Math.floor(gv);
        const gu = u / period + pu + (staggered && row % 2 !== 0 ? 0.5 : 0);
        const du = (frac(gu) - 0.5) * period;
        const dv = (frac(gv) - 0.5) * period;
        return du * du + dv * dv <= r2;
      });
    }
    case 'checker': {
      const cell = uniform(rng, 0.3, 0.55);
      const pu = rng();
      const pv = rng();
      return placeTexture(uniform(rng, 0, fullTurn), (u, v) => {
        const parity = Math.floor(u / cell + pu) + Math.floor(v / cell + pv);
        return (parity & 1) === 0;
      });
    }
    case 'ring': {
      const outer = 0.92;
      const inner = outer - uniform(rng, 0.2, 0.36);
      return placeObject(
        rng,
        (u, v) => {
          const r2 = u * u + v * v;
          return r2 <= outer * outer && r2 >= inner * inner;
        },
        0,
      );
    }
    case 'star':
      return placeObject(rng, starTest(5, uniform(rng, 0.38, 0.5)), fullTurn);
    case 'heart':
      // (x² + y² − 1)³ − x²y³ ≤ 0 with y up; scaled and shifted so it is centred with radius about 1.
      return placeObject(
        rng,
        (u, v) => {
          const x = u * 1.25;
          const y = -v * 1.25 + 0.2;
          const a = x * x + y * y - 1;
          return a * a * a - x * x * y * y * y <= 0;
        },
        0.35,
      );
    case 'zigzag': {
      const zigs = uniform(rng, 1.5, 2.5);
      const amplitude = uniform(rng, 0.3, 0.45);
      // Half-width measured along v, so steep strokes come out thinner: a line drawing, unlike the filled
      // shapes (a bolder variant transferred worse: it got confused with rings).
      const half = uniform(rng, 0.12, 0.2);
      return placeObject(
        rng,
        (u, v) => {
          if (u < -0.95 || u > 0.95) return false;
          // Triangle wave in [-amplitude, amplitude] along u.
          const phase = frac(((u + 0.95) / 1.9) * zigs);
          const centre = amplitude * (4 * Math.abs(phase - 0.5) - 1);
          return Math.abs(v - centre) <= half;
        },
        fullTurn,
      );
    }
  }
}

/** Draws every random choice of one image of class `kind` (colours, layout, shape parameters). */
export function sampleScene(kind: ShapeKind, rng: Rng): Scene {
  const { foreground, background } = randomColours(rng);
  const backgroundFar = background.map((c) => clamp01(c + uniform(rng, -0.12, 0.12))) as Rgb;
  const gradientAngle = uniform(rng, 0, 2 * Math.PI);
  const noise = uniform(rng, 0.01, 0.04);
  const inside = shapeTest(kind, rng);
  return { kind, foreground, background, backgroundFar, gradientAngle, noise, inside };
}

/** Per-pixel coverage in [0, 1] of the scene's shape, row-major, `size * size` values. */
export function coverage(scene: Scene, size: number, samples = SUPERSAMPLING): Float32Array {
  const out = new Float32Array(size * size);
  const step = 1 / samples;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++) {
        const y = ((py + (sy + 0.5) * step) / size) * 2 - 1;
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) * step) / size) * 2 - 1;
          if (scene.inside(x, y)) hits++;
        }
      }
      out[py * size + px] = hits / (samples * samples);
    }
  }
  return out;
}

/** Paints a scene: gradient background, antialiased foreground, light noise drawn from `rng`. RGBA. */
export function renderScene(scene: Scene, rng: Rng, size: number): Uint8ClampedArray {
  const cover = coverage(scene, size);
  const noise = new Float32Array(NOISE_GRID * NOISE_GRID * 3); // [32, 32, 3]
  for (let i = 0; i < noise.length; i++) noise[i] = scene.noise * gaussianish(rng);
  const pixels = new Uint8ClampedArray(size * size * 4);
  const gx = Math.cos(scene.gradientAngle);
  const gy = Math.sin(scene.gradientAngle);
  for (let py = 0; py < size; py++) {
    const y = ((py + 0.5) / size) * 2 - 1;
    const noiseRow = Math.floor((py * NOISE_GRID) / size) * NOISE_GRID;
    for (let px = 0; px < size; px++) {
      const x = ((px + 0.5) / size) * 2 - 1;
      // Position along the gradient, 0 at one corner side and 1 at the other.
      const t = clamp01((x * gx + y * gy) / 2 + 0.5);
      const a = cover[py * size + px] ?? 0;
      const n = (noiseRow + Math.floor((px * NOISE_GRID) / size)) * 3;
      const o = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) {
        const bg = scene.background[c]! + (scene.backgroundFar[c]! - scene.background[c]!) * t;
        const value = bg + (scene.foreground[c]! - bg) * a + noise[n + c]!;
        pixels[o + c] = Math.round(clamp01(value) * 255);
      }
      pixels[o + 3] = 255;
    }
  }
  return pixels;
}

/** One RGBA image (`size * size * 4` bytes) of class `kind`; the same rng state gives the same bytes. */
export function renderShape(kind: ShapeKind, rng: Rng, size: number): Uint8ClampedArray {
  return renderScene(sampleScene(kind, rng), rng, size);
}
