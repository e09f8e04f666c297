// Test helper: loads the opencv-js reference (OpenCV 4.12 compiled to WebAssembly).
import { createRequire } from "node:module";
import type * as OpenCvModule from "@techstark/opencv-js";

export type OpenCv = typeof OpenCvModule;

type Loaded = OpenCv & { onRuntimeInitialized?: () => void };

let loading: Promise<{ cv: OpenCv }> | undefined;

/**
 * The initialised `cv` object. The package exports either a promise or a module that calls
 * onRuntimeInitialized; the module is a thenable, so it is handed out inside a wrapper
 * (resolving a promise with it directly would loop forever).
 */
export function loadOpenCv(): Promise<{ cv: OpenCv }> {
  loading ??= (async () => {
    const mod = createRequire(import.meta.url)("@techstark/opencv-js") as Loaded | Promise<OpenCv>;
    if (mod instanceof Promise) return { cv: await mod };
    if (typeof mod.Mat !== "function") {
      await new Promise<void>((resolve) => {
        mod.onRuntimeInitialized = resolve;
      });
    }
    return { cv: mod };
  })();
  return loading;
}

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

/** A cv.Mat holding a copy of the bytes (caller deletes it). */
export function matFromBytes(cv: OpenCv, data: ArrayLike<number>, width: number, height: number, channels: 1 | 3 | 4): OpenCvModule.Mat {
  const type = channels === 1 ? cv.CV_8UC1 : channels === 3 ? cv.CV_8UC3 : cv.CV_8UC4;
  const mat = new cv.Mat(height, width, type);
  mat.data.set(data);
  return mat;
}

/** Runs cv.resize(INTER_LINEAR) on a one-channel image and returns the output bytes. */
export function cvResize(cv: OpenCv, data: Uint8Array, width: number, height: number, toWidth: number, toHeight: number): Uint8Array {
  const src = matFromBytes(cv, data, width, height, 1);
  const dst = new cv.Mat();
  try {
    cv.resize(src, dst, new cv.Size(toWidth, toHeight), 0, 0, cv.INTER_LINEAR);
    return Uint8Array.from(dst.data);
  } finally {
    src.delete();
    dst.delete();
  }
}

/** Index and values of the first difference between two byte arrays, or undefined when equal. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string | undefined {
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `index ${i}: ${a[i]} vs ${b[i]}`;
  return undefined;
}
