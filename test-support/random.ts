// Shared by the packages' tests: seeded random inputs, independent of the code under test.

/** A seeded uniform [0, 1) generator (mulberry32), so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(random: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** `count` seeded uniform floats in [lo, hi) (the generator above), e.g. random weights or inputs. */
export function uniformFloats(count: number, seed: number, lo = 0, hi = 1): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = lo + random() * (hi - lo);
  return out;
}
