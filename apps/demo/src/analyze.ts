// The reference pipeline for still images (browser-safe): find every face, label each one.
import { PAPER_DETECT_OPTIONS, detectFaces, type Cascade, type DetectOptions } from "@microexp/face";
import { toGray, type ExpressionClassifier, type ExpressionScore, type FaceBox, type ImageLike } from "@microexp/infer";

/** One face found in an image, with its expression. */
export interface LabelledFace {
  /** Where the face is, in the image's pixels. */
  readonly box: FaceBox;
  /** The most probable expression and its probability. */
  readonly label: string;
  readonly probability: number;
  /** Every expression with its probability, in the weights' label order. */
  readonly scores: readonly ExpressionScore[];
}

/** Classifies the faces at `boxes` (all in one batch). */
export function labelFaces(classifier: ExpressionClassifier, image: ImageLike, boxes: readonly FaceBox[]): LabelledFace[] {
  if (boxes.length === 0) return [];
  return classifier.classifyFaces(image, boxes).map((prediction, i) => ({
    box: boxes[i],
    label: prediction.label,
    probability: prediction.probability,
    scores: prediction.scores,
  }));
}

/**
 * Every face of a photo, in the detector's order. Detection defaults to the paper's settings
 * (scaleFactor 1.3, minNeighbors 5) at full resolution.
 */
export function findFaces(image: ImageLike, cascade: Cascade, detect: DetectOptions = PAPER_DETECT_OPTIONS): FaceBox[] {
  return detectFaces(image, cascade, detect).map(({ x, y, width, height }) => ({ x, y, width, height }));
}

/** Every face of a photo, labelled (findFaces, then labelFaces). */
export function analyzePhoto(
  image: ImageLike,
  cascade: Cascade,
  classifier: ExpressionClassifier,
  detect: DetectOptions = PAPER_DETECT_OPTIONS,
): LabelledFace[] {
  // One gray conversion serves both steps: the classifier grays color images the same way.
  const gray = toGray(image);
  return labelFaces(classifier, gray, findFaces(gray, cascade, detect));
}
