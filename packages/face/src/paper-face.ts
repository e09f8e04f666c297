import { INFERENCE_CROP_OFFSET, TRAINING_CROP_OFFSETS, cropToInput, paperFace, toGray, type FaceBox, type ImageLike } from "@microexp/infer";
import type { Cascade } from "./cascade/compile.js";
import { detectFaces, type DetectOptions } from "./detect/detect-faces.js";

/** The paper's detection call: detectMultiScale(gray, scaleFactor 1.3, minNeighbors 5). */
export const PAPER_DETECT_OPTIONS: DetectOptions = Object.freeze({ scaleFactor: 1.3, minNeighbors: 5 });

/** The face the paper crops: the first box OpenCV would return, or null when there is none. */
export function findPaperFace(image: ImageLike, cascade: Cascade): FaceBox | null {
  const [first] = detectFaces(image, cascade, PAPER_DETECT_OPTIONS);
  return first ? { x: first.x, y: first.y, width: first.width, height: first.height } : null;
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
 * the first face (the whole image if none), then the inference crop.
 */
export function paperFaceCrop(image: ImageLike, cascade: Cascade): PaperFaceCrop {
  const gray = toGray(image);
  const box = findPaperFace(gray, cascade);
  const [row, col] = INFERENCE_CROP_OFFSET;
  return { box, input: cropToInput(paperFace(gray, box ?? undefined), row, col) };
}

/** As paperFaceCrop, and also the 8 training crops of the same face. */
export function paperFaceCrops(image: ImageLike, cascade: Cascade): PaperFaceCrops {
  const gray = toGray(image);
  const box = findPaperFace(gray, cascade);
  const face = paperFace(gray, box ?? undefined);
  const [row, col] = INFERENCE_CROP_OFFSET;
  return {
    box,
    input: cropToInput(face, row, col),
    training: TRAINING_CROP_OFFSETS.map(([r, c]) => cropToInput(face, r, c)),
  };
}
