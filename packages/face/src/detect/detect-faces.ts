import { toGray, type GrayImage, type ImageLike } from "@microexp/infer";
import type { Cascade } from "../cascade/compile.js";
import { clipToImage, groupRectangles, type Detection } from "./group.js";
import { scanHaarLevel } from "./haar.js";
import { integralImages } from "./integral.js";
import { scanLbpLevel } from "./lbp.js";
import { offsetTable, type OffsetTable } from "./offsets.js";
import { cvRound } from "./round.js";
import { resizeLinearExact } from "./resize-exact.js";
import { WasmScanner } from "./wasm-scanner.js";
import { pyramidLevels, type LevelRegions, type PyramidLevel } from "./scales.js";
import { resolveDetectOptions, type DetectPreset } from "./presets.js";

/** Options of detectFaces; the defaults are those of OpenCV's detectMultiScale. */
export interface DetectOptions {
  /** How much the window grows from one scale to the next (> 1). Default 1.1. */
  readonly scaleFactor?: number;
  /** Raw windows a detection needs beyond itself to be kept (OpenCV keeps > minNeighbors). 0 returns every raw window. Default 3. */
  readonly minNeighbors?: number;
  /** Smallest face looked for, in pixels. Default: the cascade's window. */
  readonly minSize?: { readonly width: number; readonly height: number };
  /** Largest face looked for, in pixels. Default: the image. */
  readonly maxSize?: { readonly width: number; readonly height: number };
  /**
   * "auto" (default) runs the WebAssembly SIMD kernel where the host has it and the kernel
   * is compiled (see prepareDetector), else plain JavaScript; both give the same boxes.
   */
  readonly engine?: "auto" | "wasm" | "js";
}

/** OpenCV's grouping tolerance in detectMultiScale (GROUP_EPS). */
export const GROUP_EPS = 0.2;

/** Buffers reused from one call to the next (per cascade), so a video loop allocates nothing. */
interface Workspace {
  level: Uint8Array;
  sums: Int32Array;
  squares: Int32Array;
  tables: Map<number, OffsetTable>;
}

const workspaces = new WeakMap<Cascade, Workspace>();
const TABLE_CACHE_LIMIT = 64;

function workspaceFor(cascade: Cascade, pixels: number, integralSize: number): Workspace {
  let ws = workspaces.get(cascade);
  if (!ws) {
    ws = { level: new Uint8Array(0), sums: new Int32Array(0), squares: new Int32Array(0), tables: new Map() };
    workspaces.set(cascade, ws);
  }
  try {
    if (ws.level.length < pixels) ws.level = new Uint8Array(pixels);
    if (ws.sums.length < integralSize) {
      ws.sums = new Int32Array(integralSize);
      ws.squares = new Int32Array(cascade.featureType === "HAAR" ? integralSize : 0);
    }
  } catch (error) {
    workspaces.delete(cascade);
    const megabytes = Math.ceil((pixels + 8 * integralSize) / 2 ** 20);
    throw new Error(
      `detectFaces: the largest pyramid level (${pixels} pixels) needs about ${megabytes} MB of buffers, which this host would not give ` +
        `(${(error as Error).message}); scale the image down or pass a larger minSize`,
    );
  }
  return ws;
}

function tableFor(ws: Workspace, cascade: Cascade, stride: number): OffsetTable {
  let table = ws.tables.get(stride);
  if (!table) {
    if (ws.tables.size >= TABLE_CACHE_LIMIT) ws.tables.clear();
    table = offsetTable(cascade, stride);
    ws.tables.set(stride, table);
  }
  return table;
}

const scanners = new WeakMap<Cascade, WasmScanner>();

function wasmScanner(cascade: Cascade): WasmScanner | undefined {
  let scanner = scanners.get(cascade);
  if (!scanner && WasmScanner.supports(cascade)) {
    scanner = WasmScanner.create(cascade);
    if (scanner) scanners.set(cascade, scanner);
  }
  return scanner;
}

export function checkOptions(options: DetectOptions): Required<Pick<DetectOptions, "scaleFactor" | "minNeighbors">> {
  const scaleFactor = options.scaleFactor ?? 1.1;
  const minNeighbors = options.minNeighbors ?? 3;
  if (!(scaleFactor > 1) || !Number.isFinite(scaleFactor)) throw new RangeError(`detectFaces: scaleFactor must be a number above 1, got ${scaleFactor}`);
  if (!Number.isInteger(minNeighbors) || minNeighbors < 0) throw new RangeError(`detectFaces: minNeighbors must be a non-negative integer, got ${minNeighbors}`);
  for (const [key, size] of [["minSize", options.minSize], ["maxSize", options.maxSize]] as const) {
    if (size && !(Number.isInteger(size.width) && Number.isInteger(size.height) && size.width >= 0 && size.height >= 0)) {
      throw new RangeError(`detectFaces: ${key} must be whole non-negative pixels, got ${size.width}x${size.height}`);
    }
  }
  if (options.engine !== undefined && !["auto", "wasm", "js"].includes(options.engine)) {
    throw new RangeError(`detectFaces: engine must be "auto", "wasm" or "js", got ${String(options.engine)}`);
  }
  return { scaleFactor, minNeighbors };
}

/** The plain-JavaScript scan (hosts without WebAssembly SIMD, and cascades the kernel cannot run); as WasmScanner.scan. */
function scanLevelsJs(
  gray: GrayImage, cascade: Cascade, levels: readonly PyramidLevel[], onHit: (level: number, x: number, y: number) => void, regions?: LevelRegions,
): void {
  const ws = workspaceFor(cascade, levels[0].width * levels[0].height, (levels[0].width + 1) * (levels[0].height + 1));
  const hits: number[] = [];
  levels.forEach((level, index) => {
    // Windows start at x <= width - window (OpenCV's working size), in level pixels.
    const originColumns = level.width + 1 - cascade.windowWidth;
    const originRows = level.height + 1 - cascade.windowHeight;
    if (originColumns <= 0 || originRows <= 0) return;
    const region = regions ? regions(index, originRows, originColumns) : { first: 0, end: originRows, keepFrom: 0, right: originColumns };
    if (!region || region.end <= region.first || region.right <= region.keepFrom) return;
    const { first, end, keepFrom, right } = region;
    resizeLinearExact(gray.data, gray.width, gray.height, ws.level, level.width, level.height);
    const haar = cascade.featureType === "HAAR";
    integralImages(ws.level, level.width, level.height, ws.sums, haar ? ws.squares : undefined);
    const table = tableFor(ws, cascade, level.width + 1);
    hits.length = 0;
    if (haar) scanHaarLevel(cascade, table, ws.sums, ws.squares, right, end, level.step, hits, first, keepFrom);
    else scanLbpLevel(cascade, table, ws.sums, right, end, level.step, hits, first, keepFrom);
    for (let i = 0; i < hits.length; i += 2) onHit(index, hits[i], hits[i + 1]);
  });
}

/** The pyramid detectMultiScale scans for these options (sizes from minSize to maxSize). */
export function detectionLevels(gray: GrayImage, cascade: Cascade, options: DetectOptions, scaleFactor: number): PyramidLevel[] {
  return pyramidLevels(gray.width, gray.height, cascade.windowWidth, cascade.windowHeight, scaleFactor, {
    minWidth: options.minSize?.width ?? 0,
    minHeight: options.minSize?.height ?? 0,
    maxWidth: options.maxSize?.width ?? 0,
    maxHeight: options.maxSize?.height ?? 0,
  });
}

/**
 * The windows the cascade accepts on each of `levels` (in image pixels, OpenCV's order); with
 * `regions`, only those in each level's region.
 */
export function scanWindows(
  gray: GrayImage, cascade: Cascade, levels: readonly PyramidLevel[], engine: DetectOptions["engine"], regions?: LevelRegions,
): Detection[][] {
  const windows: Detection[][] = levels.map(() => []);
  if (levels.length === 0) return windows;
  const onHit = (index: number, x: number, y: number): void => {
    const level = levels[index];
    windows[index].push({
      x: cvRound(Math.fround(x * level.scale)),
      y: cvRound(Math.fround(y * level.scale)),
      width: level.windowWidth,
      height: level.windowHeight,
      neighbors: 1,
    });
  };
  const scanner = engine === "js" ? undefined : wasmScanner(cascade);
  if (scanner) {
    if (scanner.scan(gray, levels, onHit, regions)) return windows;
    // Too large for the kernel's 32-bit memory: the JavaScript path gives the same windows.
    if (engine === "wasm") {
      throw new Error(
        `detectFaces: a ${gray.width}x${gray.height} image does not fit the WebAssembly kernel's memory ` +
          `(2 GB, about 10 bytes a pixel); use engine "auto" or "js", or scale the image down`,
      );
    }
    scanLevelsJs(gray, cascade, levels, onHit, regions);
  } else if (engine === "wasm") {
    throw new Error(WasmScanner.supports(cascade)
      ? "detectFaces: the WebAssembly kernel is not available here (needs WebAssembly SIMD; in browsers await prepareDetector() first)"
      : `detectFaces: the WebAssembly kernel cannot run cascade ${cascade.name} (LBP trees deeper than one node, or LBP blocks above 257 pixels); use engine "auto" or "js"`);
  }
  else scanLevelsJs(gray, cascade, levels, onHit, regions);
  return windows;
}

/**
 * Every window the cascade accepts, before grouping, in OpenCV's order (scale by scale, row
 * by row): the same list as OpenCV's detectMultiScale with minNeighbors 0.
 */
export function detectRawWindows(image: ImageLike, cascade: Cascade, preset: DetectOptions | DetectPreset = {}): Detection[] {
  const options = resolveDetectOptions(preset);
  const { scaleFactor } = checkOptions(options);
  const gray = toGray(image);
  return scanWindows(gray, cascade, detectionLevels(gray, cascade, options, scaleFactor), options.engine ?? "auto").flat();
}

/**
 * Finds faces (or whatever the cascade was trained on) like OpenCV's
 * CascadeClassifier.detectMultiScale(image, scaleFactor, minNeighbors, 0, minSize, maxSize):
 * same pyramid, same arithmetic, same grouping, so the same boxes in the same order.
 * Color images are converted with toGray (RGB/RGBA order). Each box carries the number of
 * raw windows merged into it. `options` may name a preset: detectFaces(image, cascade, "paper").
 */
export function detectFaces(image: ImageLike, cascade: Cascade, preset: DetectOptions | DetectPreset = {}): Detection[] {
  const options = resolveDetectOptions(preset);
  const { minNeighbors } = checkOptions(options);
  const gray = toGray(image);
  const raw = detectRawWindows(gray, cascade, options);
  return clipToImage(groupRectangles(raw, minNeighbors, GROUP_EPS), gray.width, gray.height);
}

