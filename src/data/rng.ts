/**
 * A small seeded PRNG (mulberry32): the same seed gives the same split, shuffle and initial weights
 * on every machine, which Math.random cannot promise.
 */
export type Rng = () => number;

/** The 32-bit state of each generator made by createRng, so a checkpoint can save and restore it. */
const states = new WeakMap<Rng, { get(): number; set(state: number): void }>();

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const rng: Rng = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  states.set(rng, {
    get: () => a,
    set: (state) => {
      a = state >>> 0;
    },
  });
  return rng;
}

/** The generator's state now: createRng(rngState(r)) continues exactly where r is. */
export function rngState(rng: Rng): number {
  const s = states.get(rng);
  if (!s) throw new Error('rngState: this generator was not made by createRng.');
  return s.get();
}

/** Moves a createRng generator to a saved state (from rngState). */
export function setRngState(rng: Rng, state: number): void {
  const s = states.get(rng);
  if (!s) throw new Error('setRngState: this generator was not made by createRng.');
  s.set(state);
}

/** A generator that continues from a saved state. */
export function rngFromState(state: number): Rng {
  return createRng(state);
}

/** Fisher-Yates shuffle in place, driven by `rng`. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}
