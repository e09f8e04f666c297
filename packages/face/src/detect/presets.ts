import type { DetectOptions } from "./detect-faces.js";

/** The paper's detection call: detectMultiScale(gray, scaleFactor 1.3, minNeighbors 5). */
export const PAPER_DETECT_OPTIONS: DetectOptions = Object.freeze({ scaleFactor: 1.3, minNeighbors: 5 });

/**
 * Named settings for detectFaces and detectFacesNear: "paper" (scaleFactor 1.3,
 * minNeighbors 5, as the MicroExpNet paper) or "opencv" (detectMultiScale's defaults, 1.1 and 3).
 */
export const DETECT_PRESETS = Object.freeze({
  paper: PAPER_DETECT_OPTIONS,
  opencv: Object.freeze({}) as DetectOptions,
});

export type DetectPreset = keyof typeof DETECT_PRESETS;

/** The options a preset name stands for (options themselves pass through). */
export function resolveDetectOptions(options: DetectOptions | DetectPreset): DetectOptions {
  if (typeof options !== "string") return options;
  if (!Object.prototype.hasOwnProperty.call(DETECT_PRESETS, options)) {
    throw new RangeError(`detectFaces: unknown preset "${options}"; presets: ${Object.keys(DETECT_PRESETS).join(", ")}`);
  }
  return DETECT_PRESETS[options];
}
