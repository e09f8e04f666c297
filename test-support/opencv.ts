// Shared by the packages' tests: loads the opencv-js reference (OpenCV 4.12 compiled to
// WebAssembly) that pixel ops and face detection are checked against.
import { createRequire } from "node:module";
import type * as OpenCvModule from "@techstark/opencv-js";

export type OpenCv = typeof OpenCvModule;

type Loaded = OpenCv & { onRuntimeInitialized?: () => void };

let loading: Promise<{ cv: OpenCv }> | undefined;

/**
 * The initialised `cv` object. The package exports either a promise or a module that calls
 * onRuntimeInitialized; the module is a thenable, so it is handed out inside a wrapper
 * (resolving a promise with it directly would never settle).
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
