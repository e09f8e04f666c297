// Test helper: a video made from a photo, a 640x480 window panning over it so that the face
// moves as it would in front of a webcam. The pan is one full period of a sine (the video
// loops without a jump).
import type { ImageLike } from "@microexp/infer";
import sharp from "sharp";

export interface PanOptions {
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  /** The photo is scaled to this width (its height in proportion) first. */
  readonly photoWidth: number;
  /** The window's top-left corner at rest, and how far it swings each way (scaled photo pixels). */
  readonly origin: { readonly x: number; readonly y: number };
  readonly swing: { readonly x: number; readonly y: number };
}

export const DEFAULT_PAN: PanOptions = {
  width: 640,
  height: 480,
  frames: 60,
  photoWidth: 800,
  origin: { x: 80, y: 30 },
  swing: { x: 60, y: 25 },
};

/** The window's top-left corner in frame `i`. */
export function panOffset(i: number, o: PanOptions = DEFAULT_PAN): { x: number; y: number } {
  const phase = (2 * Math.PI * i) / o.frames;
  return { x: Math.round(o.origin.x + o.swing.x * Math.sin(phase)), y: Math.round(o.origin.y + o.swing.y * Math.sin(2 * phase)) };
}

/** The frames, RGB. */
export async function panFrames(photo: string, options: Partial<PanOptions> = {}): Promise<ImageLike[]> {
  const o = { ...DEFAULT_PAN, ...options };
  const { data, info } = await sharp(photo).resize({ width: o.photoWidth }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const frames: ImageLike[] = [];
  for (let i = 0; i < o.frames; i++) {
    const { x, y } = panOffset(i, o);
    if (x < 0 || y < 0 || x + o.width > info.width || y + o.height > info.height) {
      throw new RangeError(`panFrames: frame ${i}'s window at ${x},${y} leaves the ${info.width}x${info.height} photo`);
    }
    const window = new Uint8Array(o.width * o.height * 3);
    for (let row = 0; row < o.height; row++) {
      const from = ((y + row) * info.width + x) * 3;
      window.set(data.subarray(from, from + o.width * 3), row * o.width * 3);
    }
    frames.push({ width: o.width, height: o.height, data: window, channels: 3 });
  }
  return frames;
}
