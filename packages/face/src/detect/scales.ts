import { cvRound } from "./round.js";

/** One level of the image pyramid the cascade runs on, as OpenCV's detectMultiScale builds it. */
export interface PyramidLevel {
  /** Image pixels per level pixel (float32, as OpenCV stores it). */
  readonly scale: number;
  /** Size of the image scaled down by `scale`. */
  readonly width: number;
  readonly height: number;
  /** Window positions are visited every `step` pixels (2 below scale 2, else 1). */
  readonly step: number;
  /** Size of a detection at this level, in image pixels. */
  readonly windowWidth: number;
  readonly windowHeight: number;
}

export interface SizeLimits {
  readonly minWidth: number;
  readonly minHeight: number;
  /** 0 = no limit (the image size). */
  readonly maxWidth: number;
  readonly maxHeight: number;
}

const f32 = Math.fround;

/**
 * The most pyramid levels a detection may scan. A scale factor just above 1 (1.0000000000000002)
 * would otherwise build levels until memory runs out; 1.01 on a 16000-pixel image needs 654,
 * 1.001 on a 640x480 frame 2,999.
 */
export const MAX_PYRAMID_LEVELS = 4096;

/**
 * The scales OpenCV's CascadeClassifier::detectMultiScale scans: factor = scaleFactor^k
 * (accumulated in double) while the window fits the image and maxSize, skipping windows
 * below minSize; each level is the image resized to round(size / float32(factor)).
 */
export function pyramidLevels(
  imageWidth: number, imageHeight: number, windowWidth: number, windowHeight: number,
  scaleFactor: number, limits: SizeLimits,
): PyramidLevel[] {
  const maxWidth = limits.maxWidth > 0 && limits.maxHeight > 0 ? limits.maxWidth : imageWidth;
  const maxHeight = limits.maxWidth > 0 && limits.maxHeight > 0 ? limits.maxHeight : imageHeight;
  // Levels until the window outgrows the image or maxSize, an upper bound (skipped sizes count
  // too; the +0.5: window sizes are rounded).
  const largest = Math.min((Math.min(maxWidth, imageWidth) + 0.5) / windowWidth, (Math.min(maxHeight, imageHeight) + 0.5) / windowHeight);
  const needed = largest < 1 ? 0 : Math.floor(Math.log(largest) / Math.log(scaleFactor)) + 1;
  if (!(needed <= MAX_PYRAMID_LEVELS)) {
    const smallest = Math.exp(Math.log(largest) / (MAX_PYRAMID_LEVELS - 1));
    throw new RangeError(
      `detectFaces: scaleFactor ${scaleFactor} would scan ${Number.isFinite(needed) ? needed : "endless"} pyramid levels of this ${imageWidth}x${imageHeight} image ` +
        `(at most ${MAX_PYRAMID_LEVELS}); use a scaleFactor of at least ${Math.ceil(smallest * 1e6) / 1e6}`,
    );
  }
  const levels: PyramidLevel[] = [];
  for (let factor = 1; ; factor *= scaleFactor) {
    const w = cvRound(windowWidth * factor), h = cvRound(windowHeight * factor);
    if (w > maxWidth || h > maxHeight || w > imageWidth || h > imageHeight) break;
    if (w < limits.minWidth || h < limits.minHeight) continue;
    const scale = f32(factor);
    levels.push({
      scale,
      width: cvRound(f32(imageWidth / scale)),
      height: cvRound(f32(imageHeight / scale)),
      step: scale >= 2 ? 1 : 2,
      windowWidth: cvRound(f32(windowWidth * scale)),
      windowHeight: cvRound(f32(windowHeight * scale)),
    });
  }
  return levels;
}

/**
 * The windows to scan on one level, in level pixels: origins y in [first, end) and x in
 * [keepFrom, right). Rows still start at x = 0 (OpenCV's walk along a row depends on every
 * position before), but the positions before keepFrom are only tested against stage 0.
 */
export interface LevelRegion {
  readonly first: number;
  readonly end: number;
  readonly keepFrom: number;
  readonly right: number;
}

/** The region to scan per level index (undefined: none), given the level's origin rows and columns. */
export type LevelRegions = (levelIndex: number, originRows: number, originColumns: number) => LevelRegion | undefined;

/** Window origins to scan, in image pixels: top <= y < bottom, left <= x < right (roughly; see levelRegion). */
export interface ImageArea {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/**
 * The level region whose windows start within `area`: every origin whose image position lies
 * in it, and perhaps one more on each side, on the level's step grid.
 */
export function levelRegion(level: PyramidLevel, originRows: number, originColumns: number, area: ImageArea): LevelRegion {
  const onGrid = (v: number): number => v - (v % level.step);
  return {
    first: onGrid(Math.max(0, Math.floor(area.top / level.scale))),
    end: Math.min(originRows, Math.ceil(area.bottom / level.scale) + 1),
    keepFrom: onGrid(Math.max(0, Math.floor(area.left / level.scale))),
    right: Math.min(originColumns, Math.ceil(area.right / level.scale) + 1),
  };
}
