import { crop } from "./crop.js";
import { grayCrop, toGray } from "./gray.js";
import { resizeBilinear } from "./resize.js";
import type { Box, GrayImage, ImageLike } from "./types.js";

// The MicroExpNet preprocessing (PAPER.md, "Preprocessing"): the face is scaled to 256x256,
// 224x224 windows are cut from it and scaled to the network's 84x84 input. Every stage is an
// 8-bit image rounded as OpenCV rounds it, since the authors ran cv2 on uint8 images.

/** Side of the scaled face the crops are cut from. */
export const FACE_SIZE = 256;
/** Side of each crop cut from the scaled face. */
export const CROP_SIZE = 224;
/** Side of the network input each crop is scaled to. */
export const INPUT_SIZE = 84;
/** (row, col) of the inference crop inside the 256x256 face: rows and cols 32..256. */
export const INFERENCE_CROP_OFFSET: readonly [row: number, col: number] = [32, 32];
/** (row, col) of the 8 training crops inside the 256x256 face, in the paper's order. */
export const TRAINING_CROP_OFFSETS: ReadonlyArray<readonly [row: number, col: number]> = [
  [0, 0], [0, 5], [0, 32], [5, 0], [32, 0], [5, 5], [32, 32], [5, 32],
];

/** Gray, cut to the face box (the whole image when there is none), scaled to 256x256. */
export function paperFace(image: ImageLike, box?: Box): GrayImage {
  // Graying only the box equals graying the image and cropping, and costs far less.
  return resizeBilinear(box ? grayCrop(image, box) : toGray(image), FACE_SIZE, FACE_SIZE);
}

/** The 224x224 crop at (row, col) of a 256x256 face, scaled to 84x84, as raw 0..255 floats. */
export function cropToInput(face: GrayImage, row: number, col: number): Float32Array {
  const window = crop(face, { x: col, y: row, width: CROP_SIZE, height: CROP_SIZE });
  return Float32Array.from(resizeBilinear(window, INPUT_SIZE, INPUT_SIZE).data);
}

/** The paper's inference input: 84*84 raw 0..255 floats from the face box (or the whole image). */
export function paperInferenceCrop(image: ImageLike, box?: Box): Float32Array {
  const [row, col] = INFERENCE_CROP_OFFSET;
  return cropToInput(paperFace(image, box), row, col);
}

/** The paper's 8 training crops, in TRAINING_CROP_OFFSETS order, each 84*84 raw 0..255 floats. */
export function paperTrainingCrops(image: ImageLike, box?: Box): Float32Array[] {
  const face = paperFace(image, box);
  return TRAINING_CROP_OFFSETS.map(([row, col]) => cropToInput(face, row, col));
}
