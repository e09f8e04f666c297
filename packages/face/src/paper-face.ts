import { INFERENCE_CROP_OFFSET, TRAINING_CROP_OFFSETS, cropToInput, paperFace, toGray, type FaceBox, type ImageLike } from "@microexp/infer";
import type { Cascade } from "./cascade/compile.js";
import { detectFaces } from "./detect/detect-faces.js";
import { PAPER_DETECT_OPTIONS } from "./detect/presets.js";

export { PAPER_DETECT_OPTIONS };

/**
 * Which detected face to crop when there are several: "largest" (default: the face nearest
 * the camera, what an app means by "the face") or "first" (the first box OpenCV returns, what
 * the paper's code takes).
 */
export type FacePick = "largest" | "first";

export interface PaperFaceOptions {
  readonly pick?: FacePick;
}

/** The largest box by area (the first of equals), or undefined for none. */
export function largestFace<T extends FaceBox>(faces: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const face of faces) if (!best || face.width * face.height > best.width * best.height) best = face;
  return best;
}

/**
 * The face the paper's preprocessing crops, found with the paper's detection settings
 * (scaleFactor 1.3, minNeighbors 5): the largest one (or the first, with pick "first"), or
 * null when there is none.
 */
export function findPaperFace(image: ImageLike, cascade: Cascade, options: PaperFaceOptions = {}): FaceBox | null {
  const pick = options.pick ?? "largest";
  if (pick !== "largest" && pick !== "first") throw new RangeError(`findPaperFace: pick must be "largest" or "first", got ${String(pick)}`);
  const faces = detectFaces(image, cascade, PAPER_DETECT_OPTIONS);
  const face = pick === "first" ? faces[0] : largestFace(faces);
  return face ? { x: face.x, y: face.y, width: face.width, height: face.height } : null;
}

/** A face found by the paper's policy and its 84x84 network input. */
export interface PaperFaceCrop {
  /** The face box, or null when no face was found and the whole image was used. */
  readonly box: FaceBox | null;
  /** 84*84 raw 0..255 floats: rows/cols 32..256 of the face scaled to 256x256, scaled to 84x84. */
  readonly input: Float32Array;
}

/** PaperFaceCrop plus the 8 training crops (TRAINING_CROP_OFFSETS order). */
export interface PaperFaceCrops extends PaperFaceCrop {
  readonly training: Float32Array[];
}

/**
 * The paper's preprocessing for inference: detect (scaleFactor 1.3, minNeighbors 5), take
 * the largest face (options.pick; the whole image if none), then the inference crop.
 */
export function paperFaceCrop(image: ImageLike, cascade: Cascade, options: PaperFaceOptions = {}): PaperFaceCrop {
  const gray = toGray(image);
  const box = findPaperFace(gray, cascade, options);
  const [row, col] = INFERENCE_CROP_OFFSET;
  return { box, input: cropToInput(paperFace(gray, box ?? undefined), row, col) };
}

/** As paperFaceCrop, and also the 8 training crops of the same face. */
export function paperFaceCrops(image: ImageLike, cascade: Cascade, options: PaperFaceOptions = {}): PaperFaceCrops {
  const gray = toGray(image);
  const box = findPaperFace(gray, cascade, options);
  const face = paperFace(gray, box ?? undefined);
  const [row, col] = INFERENCE_CROP_OFFSET;
  return {
    box,
    input: cropToInput(face, row, col),
    training: TRAINING_CROP_OFFSETS.map(([r, c]) => cropToInput(face, r, c)),
  };
}
