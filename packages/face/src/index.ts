// @microexp/face: browser-safe core (no Node built-ins, no sharp). File decoding lives in
// the "@microexp/face/node" entry.
export type { Box, FaceBox, GrayImage, ImageLike } from "@microexp/infer";
export type { CascadeData, CascadeSource, FeatureType } from "./cascade/types.js";
export { parseCascadeXml } from "./cascade/parse-xml.js";
export { compileCascade, type Cascade } from "./cascade/compile.js";
export {
  PAPER_CASCADE,
  SHIPPED_CASCADES,
  loadCascade,
  loadCascadeSource,
  type ShippedCascadeName,
} from "./cascade/shipped.js";
export { detectFaces, detectRawWindows, type DetectOptions } from "./detect/detect-faces.js";
export { detectFacesNear } from "./detect/detect-near.js";
export { prepareKernel as prepareDetector } from "./detect/kernel.js";
export type { Detection } from "./detect/group.js";
export { DETECT_PRESETS, PAPER_DETECT_OPTIONS, type DetectPreset } from "./detect/presets.js";
export { MAX_PYRAMID_LEVELS } from "./detect/scales.js";
export {
  findPaperFace,
  largestFace,
  paperFaceCrop,
  paperFaceCrops,
  type FacePick,
  type PaperFaceCrop,
  type PaperFaceCrops,
  type PaperFaceOptions,
} from "./paper-face.js";
export {
  DEFAULT_TRACKER_OPTIONS,
  FaceTracker,
  overlap,
  type TrackedFace,
  type TrackerOptions,
} from "./track/face-tracker.js";
