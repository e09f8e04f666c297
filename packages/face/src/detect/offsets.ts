import type { Cascade } from "../cascade/compile.js";

/**
 * Feature rectangles turned into offsets into an integral image with a given row stride,
 * so a rectangle sum is four loads at (window offset + corner offset), as in OpenCV.
 */
export interface OffsetTable {
  readonly stride: number;
  /** HAAR: per node 3 x 4 corners (top-left, top-right, bottom-left, bottom-right). LBP: per node the 4 x 4 grid of block corners, row by row. */
  readonly corners: Int32Array;
  /** HAAR: corners of the variance window (the trained window less a 1-pixel border). */
  readonly normCorners: Int32Array;
}

function haarCorners(cascade: Cascade, stride: number): Int32Array {
  const rects = cascade.nodeRects;
  const corners = new Int32Array(rects.length);
  for (let i = 0; i < rects.length; i += 4) {
    const x = rects[i], y = rects[i + 1], w = rects[i + 2], h = rects[i + 3];
    corners[i] = y * stride + x;
    corners[i + 1] = y * stride + x + w;
    corners[i + 2] = (y + h) * stride + x;
    corners[i + 3] = (y + h) * stride + x + w;
  }
  return corners;
}

function lbpCorners(cascade: Cascade, stride: number): Int32Array {
  const rects = cascade.nodeRects;
  const nodes = rects.length / 4;
  const corners = new Int32Array(nodes * 16);
  for (let n = 0; n < nodes; n++) {
    const x = rects[n * 4], y = rects[n * 4 + 1], w = rects[n * 4 + 2], h = rects[n * 4 + 3];
    for (let row = 0; row < 4; row++) {
      for (let col = 0; col < 4; col++) corners[n * 16 + row * 4 + col] = (y + row * h) * stride + x + col * w;
    }
  }
  return corners;
}

/** Builds the offset table of a cascade for one stride. */
export function offsetTable(cascade: Cascade, stride: number): OffsetTable {
  const corners = cascade.featureType === "HAAR" ? haarCorners(cascade, stride) : lbpCorners(cascade, stride);
  const w = cascade.windowWidth - 2, h = cascade.windowHeight - 2;
  const normCorners = Int32Array.of(stride + 1, stride + 1 + w, (1 + h) * stride + 1, (1 + h) * stride + 1 + w);
  return { stride, corners, normCorners };
}
