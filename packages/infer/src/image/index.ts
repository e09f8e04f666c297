export type { Box, Channels, FaceBox, GrayImage, ImageLike } from "./types.js";
export { checkImage, grayImage } from "./check.js";
export { grayCrop, toGray } from "./gray.js";
export { resizeBilinear } from "./resize.js";
export { clampBox, crop } from "./crop.js";
export { roundHalfEven } from "./round.js";
export {
  CROP_SIZE,
  FACE_SIZE,
  INFERENCE_CROP_OFFSET,
  INPUT_SIZE,
  TRAINING_CROP_OFFSETS,
  cropToInput,
  paperFace,
  paperInferenceCrop,
  paperTrainingCrops,
} from "./paper-crop.js";
export {
  CROP_POLICIES,
  DEFAULT_CROP_POLICY,
  cropPolicyShape,
  jsCropper,
  paperPolicyCrops,
  type CropPolicy,
  type CropPolicyShape,
  type FaceCropper,
} from "./crop-policy.js";
