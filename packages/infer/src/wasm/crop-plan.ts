// Plans the WebAssembly crop (assembly/crop.ts) for one face-box size and crop policy: which
// source rows and columns are read, which pixels of the 256x256 face are computed (only those
// the 224 -> 84 resizes read: about 168 of 256 rows and columns for one crop; the 8 crops share
// them), and the taps of both resizes re-indexed into those compact buffers. The taps are
// resizeBilinear's own (cachedTaps), so the result is the reference's bit for bit.
import { cachedTaps, type Taps } from "../image/resize.js";
import { CROP_SIZE, FACE_SIZE, INPUT_SIZE } from "../image/paper-crop.js";

/** Tap tables hold four i32 per output pixel: i0, i1, w0, w1. */
export const TAP_INTS = 4;

/** What the windows of one crop policy read of the 256x256 face; the same for every box. */
export interface WindowPlan {
  /** Face columns and rows read, ascending; index: each face pixel's place in them (-1: not read). */
  readonly gridCols: { readonly pixels: Int32Array; readonly index: Int32Array };
  readonly gridRows: { readonly pixels: Int32Array; readonly index: Int32Array };
  /** The computed part of the face: gridHeight rows of gridWidth bytes (a multiple of 4). */
  readonly gridWidth: number;
  readonly gridHeight: number;
  /** Per window, its input columns' taps then its input rows' (INPUT_SIZE entries each; grid indices). */
  readonly tables: Int32Array;
  /** Whether each window's column taps are grouped (see groupColumns). */
  readonly columnsGrouped: readonly boolean[];
}

/** The part of a plan that depends on the box's size. */
export interface CropPlan {
  readonly windows: WindowPlan;
  /** Source rows read, relative to the box's top, ascending. */
  readonly sourceRows: Int32Array;
  /** Source columns read: [colStart, colEnd) relative to the box's left. */
  readonly colStart: number;
  readonly colEnd: number;
  /**
   * The face columns' taps (gridWidth entries; i0, i1 byte offsets into a gray source row),
   * then the face rows' (gridHeight entries; indices into sourceRows).
   */
  readonly tables: Int32Array;
  /** Whether the face columns' taps are grouped. */
  readonly columnsGrouped: boolean;
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
  const begin = at * TAP_INTS, end = (at + count) * TAP_INTS;
  const bases: number[] = [];
  for (let o = begin; o < end; o += GROUP * TAP_INTS) {
    let low = tables[o], high = tables[o];
    for (let j = o; j < o + GROUP * TAP_INTS; j += TAP_INTS) {
      low = Math.min(low, tables[j], tables[j + 1]);
      high = Math.max(high, tables[j], tables[j + 1]);
    }
    if (high - low >= 16) return false;
    bases.push(low);
  }
  // Little-endian packing, as WebAssembly reads memory: 4 swizzle bytes or 2 i16 weights per i32.
  const scratch = new Int32Array(GROUP);
  for (let o = begin, g = 0; o < end; o += GROUP * TAP_INTS, g++) {
    const base = bases[g];
    let picks01 = 0, picks23 = 0;
    for (let j = 0; j < GROUP; j++) {
      const e = o + j * TAP_INTS;
      const pair = (tables[e] - base) | ((tables[e + 1] - base) << 8);
      if (j < 2) picks01 |= pair << (16 * j);
      else picks23 |= pair << (16 * (j - 2));
      scratch[j] = tables[e + 2] | (tables[e + 3] << 16);
    }
    tables.fill(0, o, o + GROUP * TAP_INTS);
    tables[o] = base;
    tables[o + 4] = picks01;
    tables[o + 5] = picks23;
    tables.set(scratch, o + 8);
  }
  return true;
}

/**
 * The face pixels (along one axis) that the 224 -> 84 resizes of windows starting at `starts`
 * read, ascending, and each one's place in that list (-1 for pixels not read).
 */
function facePixelsRead(starts: readonly number[], input: Taps): { pixels: Int32Array; index: Int32Array } {
  const index = new Int32Array(FACE_SIZE).fill(-1);
  for (const start of starts) {
    for (let i = 0; i < INPUT_SIZE; i++) index[start + input.i0[i]] = index[start + input.i1[i]] = 0;
  }
  return compact(index);
}

/** Numbers the marked (0) entries of `index` in order; returns them and the numbering. */
function compact(index: Int32Array): { pixels: Int32Array; index: Int32Array } {
  let n = 0;
  for (let i = 0; i < index.length; i++) if (index[i] === 0) index[i] = ++n; // 1-based while counting
  const pixels = new Int32Array(n);
  for (let i = 0; i < index.length; i++) if (index[i] > 0) pixels[(index[i] -= 1)] = i;
  return { pixels, index };
}

/** Writes the taps of outputs `picks` at entry `at`, i0 and i1 mapped by `map` (source pixel -> index), or shifted down by `shift`. */
function writeTaps(tables: Int32Array, at: number, taps: Taps, picks: Int32Array, map: Int32Array | null, shift: number): void {
  const { i0, i1, w0, w1 } = taps;
  for (let k = 0, o = at * TAP_INTS; k < picks.length; k++, o += TAP_INTS) {
    const pick = picks[k];
    const a = i0[pick], b = i1[pick];
    tables[o] = map === null ? a - shift : map[a];
    tables[o + 1] = map === null ? b - shift : map[b];
    tables[o + 2] = w0[pick];
    tables[o + 3] = w1[pick];
  }
}

const ALL_INPUTS = Int32Array.from({ length: INPUT_SIZE }, (_, i) => i);

/** The windows' part of the plan for these window offsets (row, col) in the 256x256 face. */
export function planWindows(offsets: ReadonlyArray<readonly [number, number]>): WindowPlan {
  const inputCols = cachedTaps("col", CROP_SIZE, INPUT_SIZE);
  const inputRows = cachedTaps("row", CROP_SIZE, INPUT_SIZE);
  const gridCols = facePixelsRead(offsets.map(([, col]) => col), inputCols);
  const gridRows = facePixelsRead(offsets.map(([row]) => row), inputRows);
  const tables = new Int32Array(2 * INPUT_SIZE * offsets.length * TAP_INTS);
  const columnsGrouped = offsets.map(([row, col], k) => {
    const at = 2 * INPUT_SIZE * k;
    writeTaps(tables, at, inputCols, ALL_INPUTS, gridCols.index.subarray(col), 0);
    writeTaps(tables, at + INPUT_SIZE, inputRows, ALL_INPUTS, gridRows.index.subarray(row), 0);
    return groupColumns(tables, at, INPUT_SIZE);
  });
  const gridWidth = Math.ceil(gridCols.pixels.length / 4) * 4;
  return { gridCols, gridRows, gridWidth, gridHeight: gridRows.pixels.length, tables, columnsGrouped };
}

/** The plan for a boxWidth x boxHeight face box (already clamped to the image) and these windows. */
export function planCrop(boxWidth: number, boxHeight: number, windows: WindowPlan): CropPlan {
  const faceCols = cachedTaps("col", boxWidth, FACE_SIZE);
  const faceRows = cachedTaps("row", boxHeight, FACE_SIZE);
  const { gridCols, gridRows, gridWidth, gridHeight } = windows;

  let colStart = Infinity, colEnd = -Infinity;
  for (let k = 0; k < gridCols.pixels.length; k++) {
    const c = gridCols.pixels[k];
    colStart = Math.min(colStart, faceCols.i0[c], faceCols.i1[c]);
    colEnd = Math.max(colEnd, faceCols.i0[c] + 1, faceCols.i1[c] + 1);
  }
  const rowsRead = new Int32Array(boxHeight).fill(-1);
  for (let k = 0; k < gridRows.pixels.length; k++) {
    const r = gridRows.pixels[k];
    rowsRead[faceRows.i0[r]] = rowsRead[faceRows.i1[r]] = 0;
  }
  const sourceRows = compact(rowsRead);

  const columns = gridCols.pixels.length;
  const tables = new Int32Array((gridWidth + gridHeight) * TAP_INTS);
  writeTaps(tables, 0, faceCols, gridCols.pixels, null, colStart);
  // Padding columns (never read back) repeat the last column's pixels with zero weights.
  const last = (columns - 1) * TAP_INTS;
  for (let k = columns; k < gridWidth; k++) tables.set([tables[last], tables[last + 1], 0, 0], k * TAP_INTS);
  writeTaps(tables, gridWidth, faceRows, gridRows.pixels, sourceRows.index, 0);
  const columnsGrouped = groupColumns(tables, 0, gridWidth);
  return { windows, sourceRows: sourceRows.pixels, colStart, colEnd, tables, columnsGrouped };
}
