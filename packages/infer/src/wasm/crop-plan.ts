// Plans the WebAssembly crop (assembly/crop.ts) for one face-box size and crop policy: which
// source rows and columns are read, which pixels of the 256x256 face are computed (only those
// the 224 -> 84 resizes read: about 168 of 256 rows and columns for one crop; the 8 crops share
// them), and the taps of both resizes re-indexed into those compact buffers. The taps are
// resizeBilinear's own (cachedTaps), so the result is the reference's bit for bit.
import { cachedTaps, type Taps } from "../image/resize.js";
import { CROP_SIZE, FACE_SIZE, INPUT_SIZE } from "../image/paper-crop.js";

/** Tap tables hold four i32 per output pixel: i0, i1, w0, w1. */
export const TAP_INTS = 4;

export interface CropPlan {
  /** Source rows read, relative to the box's top, ascending. */
  readonly sourceRows: Int32Array;
  /** Source columns read: [colStart, colEnd) relative to the box's left. */
  readonly colStart: number;
  readonly colEnd: number;
  /** The computed part of the 256x256 face: gridHeight rows of gridWidth bytes (a multiple of 4). */
  readonly gridWidth: number;
  readonly gridHeight: number;
  /**
   * All tap tables, one after the other: face columns (gridWidth entries; i0, i1 byte offsets
   * into a gray source row), face rows (gridHeight; indices into sourceRows), then per window
   * its input columns and input rows (INPUT_SIZE each; indices into the grid). Column tables
   * may be grouped (see groupColumns).
   */
  readonly tables: Int32Array;
  /** Whether the face columns' table is grouped, and each window's columns' table. */
  readonly faceColumnsGrouped: boolean;
  readonly windowColumnsGrouped: readonly boolean[];
}

/** Output columns per group in a grouped column table. */
const GROUP = 4;

/**
 * Rewrites `count` column taps at entry `at` (count a multiple of 4) as groups of 4 outputs
 * that one SIMD load, swizzle and multiply-add compute, when each group's source pixels lie
 * within 16 bytes; returns false (and leaves the taps) otherwise. A group takes the 4 entries'
 * 64 bytes: the byte offset of its first source pixel (i32), 12 unused bytes, 16 swizzle
 * indices picking i0, i1 of each output (8 used), then the weights w0, w1 of each as 8 i16.
 */
function groupColumns(tables: Int32Array, at: number, count: number): boolean {
  const groups: { base: number; picks: number[]; weights: number[] }[] = [];
  for (let g = at; g < at + count; g += GROUP) {
    const entries = Array.from({ length: GROUP }, (_, j) => tables.subarray((g + j) * TAP_INTS, (g + j + 1) * TAP_INTS));
    const base = Math.min(...entries.map((e) => Math.min(e[0], e[1])));
    const end = Math.max(...entries.map((e) => Math.max(e[0], e[1])));
    if (end - base >= 16) return false;
    groups.push({ base, picks: entries.flatMap((e) => [e[0] - base, e[1] - base]), weights: entries.flatMap((e) => [e[2], e[3]]) });
  }
  const bytes = new Uint8Array(tables.buffer, tables.byteOffset, tables.byteLength);
  const halves = new Int16Array(tables.buffer, tables.byteOffset, tables.length * 2);
  groups.forEach(({ base, picks, weights }, k) => {
    const o = (at + k * GROUP) * TAP_INTS;
    tables.fill(0, o, o + GROUP * TAP_INTS);
    tables[o] = base;
    bytes.set(picks, (o + 4) * 4);
    halves.set(weights, (o + 8) * 2);
  });
  return true;
}

/** Sorted distinct values. */
function distinct(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** Face pixels (along one axis) the 224 -> 84 resizes of windows starting at `starts` read. */
function facePixelsRead(starts: readonly number[], input: Taps): number[] {
  const read: number[] = [];
  for (const start of starts) {
    for (let i = 0; i < INPUT_SIZE; i++) read.push(start + input.i0[i], start + input.i1[i]);
  }
  return distinct(read);
}

/** Writes taps (i0, i1 mapped through `index`) at entry `at` of `tables`. */
function writeTaps(tables: Int32Array, at: number, taps: Taps, picks: readonly number[], index: (source: number) => number): void {
  picks.forEach((pick, k) => {
    const o = (at + k) * TAP_INTS;
    tables[o] = index(taps.i0[pick]);
    tables[o + 1] = index(taps.i1[pick]);
    tables[o + 2] = taps.w0[pick];
    tables[o + 3] = taps.w1[pick];
  });
}

/** The plan for a boxWidth x boxHeight face box (already clamped to the image) and these windows. */
export function planCrop(boxWidth: number, boxHeight: number, offsets: ReadonlyArray<readonly [number, number]>): CropPlan {
  const faceCols = cachedTaps("col", boxWidth, FACE_SIZE);
  const faceRows = cachedTaps("row", boxHeight, FACE_SIZE);
  const inputCols = cachedTaps("col", CROP_SIZE, INPUT_SIZE);
  const inputRows = cachedTaps("row", CROP_SIZE, INPUT_SIZE);
  const gridCols = facePixelsRead(offsets.map(([, col]) => col), inputCols);
  const gridRows = facePixelsRead(offsets.map(([row]) => row), inputRows);

  const sourceCols = gridCols.flatMap((c) => [faceCols.i0[c], faceCols.i1[c]]);
  const colStart = Math.min(...sourceCols);
  const colEnd = Math.max(...sourceCols) + 1;
  const sourceRows = distinct(gridRows.flatMap((r) => [faceRows.i0[r], faceRows.i1[r]]));
  const sourceRowIndex = new Map(sourceRows.map((row, i) => [row, i]));

  const gridWidth = Math.ceil(gridCols.length / 4) * 4;
  const gridHeight = gridRows.length;
  const gridColIndex = new Map(gridCols.map((col, i) => [col, i]));
  const gridRowIndex = new Map(gridRows.map((row, i) => [row, i]));

  const tables = new Int32Array((gridWidth + gridHeight + 2 * INPUT_SIZE * offsets.length) * TAP_INTS);
  writeTaps(tables, 0, faceCols, gridCols, (c) => c - colStart);
  // Padding columns (never read back) repeat the last column's pixels with zero weights.
  const last = (gridCols.length - 1) * TAP_INTS;
  for (let k = gridCols.length; k < gridWidth; k++) tables.set([tables[last], tables[last + 1], 0, 0], k * TAP_INTS);
  writeTaps(tables, gridWidth, faceRows, gridRows, (r) => sourceRowIndex.get(r)!);
  const faceColumnsGrouped = groupColumns(tables, 0, gridWidth);
  const windowColumnsGrouped = offsets.map(([row, col], k) => {
    const at = gridWidth + gridHeight + 2 * INPUT_SIZE * k;
    const picks = Array.from({ length: INPUT_SIZE }, (_, i) => i);
    writeTaps(tables, at, inputCols, picks, (c) => gridColIndex.get(col + c)!);
    writeTaps(tables, at + INPUT_SIZE, inputRows, picks, (r) => gridRowIndex.get(row + r)!);
    return groupColumns(tables, at, INPUT_SIZE);
  });
  return {
    sourceRows: Int32Array.from(sourceRows), colStart, colEnd, gridWidth, gridHeight, tables,
    faceColumnsGrouped, windowColumnsGrouped,
  };
}
