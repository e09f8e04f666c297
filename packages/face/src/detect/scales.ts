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
