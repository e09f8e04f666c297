// Shared by the packages' tests: seeded random inputs.

/** A seeded uniform [0, 1) generator (the project's one mulberry32), so failures reproduce. */
import { mulberry32 } from "../packages/datasets/src/prng.js";

export const seededRandom: (seed: number) => () => number = mulberry32;

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
