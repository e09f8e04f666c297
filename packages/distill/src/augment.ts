/**
 * On-the-fly augmentation of the paper's 84x84 crops: a random affine warp (horizontal flip,
 * shift, rotation, scale about the centre; bilinear, edges repeated) and random erasing
 * (Zhong et al. 2017). Every draw comes from a generator seeded per sample, so a run's seed
 * fixes its inputs whatever the number of threads.
 */
import { CROP_PIXELS } from "./crop-set.js";
import { SeededRandom } from "./random.js";
import { INPUT_SIZE } from "@microexp/infer";

const SIDE = INPUT_SIZE;

export interface AugmentOptions {
  /** Mirror left-right with probability 0.5 (default true). */
  flip?: boolean;
  /** Largest shift in pixels along each axis (default 4). */
  maxShift?: number;
  /** Largest rotation in degrees either way (default 10). */
  maxRotation?: number;
  /** Largest relative scale change either way (default 0.1: 0.9x to 1.1x). */
  maxScale?: number;
  /** Probability of erasing one random rectangle (2-25 % of the crop) with noise (default 0.5). */
  erase?: number;
}

export const DEFAULT_AUGMENT: Required<AugmentOptions> = { flip: true, maxShift: 4, maxRotation: 10, maxScale: 0.1, erase: 0.5 };

/** A seed for one sample's draws, from the run's seed and the sample's place in training. */
export function sampleSeed(seed: number, epoch: number, position: number): number {
  // murmur3's finaliser over the three inputs: nearby positions get unrelated seeds.
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35) ^ Math.imul(position + 1, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Writes the augmented crop `source` (84x84 uint8) as float32 0..255 into `out` at `offset`. */
export function augmentCrop(source: Uint8Array, out: Float32Array, offset: number, random: SeededRandom, options: AugmentOptions = {}): void {
  const o = { ...DEFAULT_AUGMENT, ...options };
  const flip = o.flip && random.next() < 0.5;
  const angle = ((random.next() * 2 - 1) * o.maxRotation * Math.PI) / 180;
  const scale = 1 + (random.next() * 2 - 1) * o.maxScale;
  const shiftX = (random.next() * 2 - 1) * o.maxShift;
  const shiftY = (random.next() * 2 - 1) * o.maxShift;
  // Output pixel p maps to source c + R(-angle) (p - c - shift) / scale, mirrored first if
  // flipped. The column terms are computed once per sample; the sums keep the same order.
  const c = (SIDE - 1) / 2;
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  const last = SIDE - 1;
  const columnX = new Float64Array(SIDE);
  const columnY = new Float64Array(SIDE);
  for (let x = 0; x < SIDE; x++) {
    const dx = (flip ? last - x : x) - c - shiftX;
    columnX[x] = c + cos * dx;
    columnY[x] = c - sin * dx;
  }
  for (let y = 0; y < SIDE; y++) {
    const dy = y - c - shiftY;
    const rowX = sin * dy;
    const rowY = cos * dy;
    const row = offset + y * SIDE;
    for (let x = 0; x < SIDE; x++) {
      let sx = columnX[x] + rowX;
      let sy = columnY[x] + rowY;
      sx = sx < 0 ? 0 : sx > last ? last : sx;
      sy = sy < 0 ? 0 : sy > last ? last : sy;
      // Non-negative here, so truncation is floor.
      const x0 = sx | 0;
      const y0 = sy | 0;
      const x1 = x0 < last ? x0 + 1 : last;
      const y1 = y0 < last ? y0 + 1 : last;
      const fx = sx - x0;
      const fy = sy - y0;
      const a = source[y0 * SIDE + x0];
      const b = source[y0 * SIDE + x1];
      const d = source[y1 * SIDE + x0];
      const e = source[y1 * SIDE + x1];
      const top = a + (b - a) * fx;
      const bottom = d + (e - d) * fx;
      out[row + x] = top + (bottom - top) * fy;
    }
  }
  if (random.next() < o.erase) eraseRectangle(out, offset, random);
}

function eraseRectangle(out: Float32Array, offset: number, random: SeededRandom): void {
  const area = (0.02 + random.next() * 0.23) * CROP_PIXELS;
  const aspect = Math.exp(Math.log(0.3) + random.next() * (Math.log(3.3) - Math.log(0.3)));
  const h = Math.min(SIDE, Math.max(1, Math.round(Math.sqrt(area * aspect))));
  const w = Math.min(SIDE, Math.max(1, Math.round(Math.sqrt(area / aspect))));
  const top = Math.floor(random.next() * (SIDE - h + 1));
  const left = Math.floor(random.next() * (SIDE - w + 1));
  for (let y = top; y < top + h; y++) {
    for (let x = left; x < left + w; x++) out[offset + y * SIDE + x] = Math.floor(random.next() * 256);
  }
}
