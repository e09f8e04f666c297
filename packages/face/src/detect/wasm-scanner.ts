import type { GrayImage } from "@microexp/infer";
import type { Cascade } from "../cascade/compile.js";
import { instantiateKernel, type KernelExports } from "./kernel.js";
import { cachedAxis } from "./resize-exact.js";
import type { LevelRegions, PyramidLevel } from "./scales.js";

// Runs a cascade with the WebAssembly kernel (assembly/). This file lays out the kernel's
// memory: the cascade's numbers once, then per image size the gray image, one pyramid level,
// the resize tables, the integral images and the corner offsets of every feature.

const PAGE = 65536;
// Plain arithmetic, not `& ~15`: sizes of large images pass 2^31, where bit operations wrap.
const align = (n: number): number => Math.ceil(n / 16) * 16;
/**
 * The kernel addresses its memory with signed 32-bit offsets: at most 2 GB. An image needs
 * about 10 bytes a pixel (the image, a level, two integral images), so above about 14,600 x
 * 14,600 pixels the scan runs on the JavaScript path instead.
 */
export const KERNEL_MEMORY_LIMIT = 2 ** 31 - PAGE;

/** Where the integral images' entries live: plain rows, or even/odd columns split into planes. */
interface IntegralLayout {
  readonly rowBytes: number;
  /** 0: plain; 1: column x at plane x & 1, index x >> 1 (windows two pixels apart are adjacent). */
  readonly shift: number;
  readonly planeBytes: number;
  /** Byte offsets of every node's corners from a window origin. */
  readonly corners: number;
  /** Byte offsets of the variance window's corners (Haar). */
  readonly norm: readonly [number, number, number, number];
}

interface SizeLayout {
  readonly width: number;
  readonly height: number;
  readonly gray: number;
  readonly level: number;
  readonly tables: number;
  readonly upper: number;
  readonly lower: number;
  readonly sums: number;
  readonly squares: number;
  readonly plain: IntegralLayout;
  readonly split: IntegralLayout;
  readonly hits: number;
  readonly maxHits: number;
  readonly end: number;
}

/** Children after parents in every tree: what the kernel's one-pass tree walk needs. */
function childrenFollowParents(c: Cascade): boolean {
  for (let t = 0; t + 1 < c.treeNodeStart.length; t++) {
    const first = c.treeNodeStart[t], count = c.treeNodeStart[t + 1] - first;
    for (let k = 0; k < count; k++) {
      for (const child of [c.nodeLeft[first + k], c.nodeRight[first + k]]) if (child > 0 && child <= k) return false;
    }
  }
  return true;
}

/**
 * True when every Haar weight is an integer and no feature sum can reach 2^24: then OpenCV's
 * float32 products and sums are exact integers and the kernel may add in int32 instead.
 */
function exactInIntegers(c: Cascade): boolean {
  const w = c.nodeWeights, r = c.nodeRects;
  for (let n = 0; n < w.length / 3; n++) {
    let bound = 0;
    for (let k = 0; k < 3; k++) {
      const weight = w[n * 3 + k];
      if (!Number.isInteger(weight)) return false;
      bound += Math.abs(weight) * r[n * 12 + k * 4 + 2] * r[n * 12 + k * 4 + 3] * 255;
    }
    if (bound >= 2 ** 24) return false;
  }
  return true;
}

/** The exponent of the lowest set bit of a finite nonzero double (v is a multiple of 2^result). */
function lowestBit(v: number): number {
  let k = 0;
  while (!Number.isInteger(v * 2 ** k)) k++;
  return -k;
}

/**
 * True when, in every stage of a stump cascade, the threshold, every leaf and every sum of
 * them fit in float64's 53 bits: then any order of adding them is exact, and the kernel may
 * add the difference of a stump's leaves where it takes one of them, against the threshold
 * less the other leaves' sum (an AND per stump instead of a select). OpenCV's shipped
 * cascades need at most about 46 bits.
 */
export function leafSumsExact(c: Cascade): boolean {
  for (let s = 0; s < c.stageCount; s++) {
    const values = [c.stageThreshold[s]];
    for (let t = c.stageTreeStart[s]; t < c.stageTreeStart[s + 1]; t++) values.push(c.leaves[2 * t], c.leaves[2 * t + 1]);
    let lowest = Infinity, bound = 0;
    for (const v of values) {
      if (!Number.isFinite(v)) return false;
      if (v !== 0) lowest = Math.min(lowest, lowestBit(v));
      bound += 2 * Math.abs(v);
    }
    if (lowest !== Infinity && bound >= 2 ** (lowest + 53)) return false;
  }
  return true;
}

/**
 * True when every LBP block has at most 257 pixels: a block's sum is then below 2^16, and the
 * kernel keeps the integral image modulo 2^16, eight windows per vector.
 */
function blocksFitSixteenBits(c: Cascade): boolean {
  const r = c.nodeRects;
  for (let n = 0; n < r.length; n += 4) if (r[n + 2] * r[n + 3] * 255 >= 2 ** 16) return false;
  return true;
}

export class WasmScanner {
  private layout: SizeLayout | undefined;

  private constructor(
    private readonly kernel: KernelExports,
    private readonly cascade: Cascade,
    private readonly data: {
      floats: number; weights: number; integerWeights: boolean; leafDifferences: boolean; links: number; trees: number;
      subsets: number; leaves: number; stages: number; end: number;
    },
  ) {}

  /** Whether the kernel can run this cascade (LBP stumps; Haar stumps or trees whose children follow their parents). */
  static supports(cascade: Cascade): boolean {
    if (cascade.featureType === "LBP") return cascade.stumps && cascade.subsetWords === 8 && blocksFitSixteenBits(cascade);
    return cascade.stumps || childrenFollowParents(cascade);
  }

  /** A scanner for the cascade, or undefined when the kernel is unavailable or cannot run it. */
  static create(cascade: Cascade): WasmScanner | undefined {
    if (!WasmScanner.supports(cascade)) return undefined;
    const lbp = cascade.featureType === "LBP";
    const kernel = instantiateKernel();
    if (!kernel) return undefined;
    const nodes = cascade.nodeThreshold.length, trees = cascade.treeNodeStart.length - 1;
    let at = align(kernel.heapBase());
    const floats = at; at = align(at + nodes * 16);
    const weights = at; at = align(at + nodes * 16);
    const links = at; at = align(at + nodes * 8);
    const treeInfo = at; at = align(at + trees * 16);
    const subsets = at; at = align(at + cascade.nodeSubset.length * 4);
    const leaves = at; at = align(at + cascade.leaves.length * 8);
    const stages = at; at = align(at + cascade.stageCount * 16);
    const integerWeights = !lbp && exactInIntegers(cascade);
    const leafDifferences = cascade.stumps && leafSumsExact(cascade);
    const scanner = new WasmScanner(kernel, cascade, { floats, weights, integerWeights, leafDifferences, links, trees: treeInfo, subsets, leaves, stages, end: at });
    if (!scanner.reserve(at)) return undefined;
    const buffer = kernel.memory.buffer;
    const f = new Float32Array(buffer, floats, nodes * 4);
    const iw = new Int32Array(buffer, weights, nodes * 4);
    const l = new Int32Array(buffer, links, nodes * 2);
    for (let n = 0; n < nodes; n++) {
      if (!lbp) {
        for (let k = 0; k < 3; k++) {
          f[n * 4 + k] = cascade.nodeWeights[n * 3 + k];
          iw[n * 4 + k] = integerWeights ? cascade.nodeWeights[n * 3 + k] : 0;
        }
      }
      f[n * 4 + 3] = cascade.nodeThreshold[n];
      l[n * 2] = cascade.nodeLeft[n];
      l[n * 2 + 1] = cascade.nodeRight[n];
    }
    const ti = new Int32Array(buffer, treeInfo, trees * 4);
    for (let t = 0; t < trees; t++) {
      ti[t * 4] = cascade.treeNodeStart[t];
      ti[t * 4 + 1] = cascade.treeNodeStart[t + 1] - cascade.treeNodeStart[t];
      ti[t * 4 + 2] = cascade.treeLeafStart[t];
    }
    new Int32Array(buffer, subsets, cascade.nodeSubset.length).set(cascade.nodeSubset);
    const lf = new Float64Array(buffer, leaves, cascade.leaves.length);
    lf.set(cascade.leaves);
    const si = new Int32Array(buffer, stages, cascade.stageCount * 4);
    const sf = new Float64Array(buffer, stages, cascade.stageCount * 2);
    for (let s = 0; s < cascade.stageCount; s++) {
      si[s * 4] = cascade.stageTreeStart[s + 1];
      let threshold = cascade.stageThreshold[s];
      if (leafDifferences) {
        // The Haar kernel adds left - right where a stump goes left, the LBP one right - left
        // where it goes right; the threshold drops by the leaves added otherwise.
        const [added, base] = lbp ? [1, 0] : [0, 1];
        for (let t = cascade.stageTreeStart[s]; t < cascade.stageTreeStart[s + 1]; t++) {
          lf[2 * t] = cascade.leaves[2 * t + added] - cascade.leaves[2 * t + base];
          threshold -= cascade.leaves[2 * t + base];
        }
      }
      sf[s * 2 + 1] = threshold;
    }
    return scanner;
  }

  /** Grows the memory to `bytes`; false when that passes the kernel's limit or the host refuses. */
  private reserve(bytes: number): boolean {
    const memory = this.kernel.memory;
    if (bytes > KERNEL_MEMORY_LIMIT) return false;
    if (memory.buffer.byteLength >= bytes) return true;
    try {
      memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
      return true;
    } catch {
      return false; // RangeError: the host cannot give that much
    }
  }

  private writeCorners(at: number, offset: (dx: number, dy: number) => number): void {
    const c = this.cascade;
    const out = new Int32Array(this.kernel.memory.buffer, at, c.nodeRects.length * (c.featureType === "LBP" ? 4 : 3));
    const r = c.nodeRects;
    if (c.featureType === "LBP") {
      for (let n = 0; n < r.length / 4; n++) {
        const x = r[n * 4], y = r[n * 4 + 1], w = r[n * 4 + 2], h = r[n * 4 + 3];
        for (let row = 0; row < 4; row++) for (let col = 0; col < 4; col++) out[n * 16 + row * 4 + col] = offset(x + col * w, y + row * h);
      }
    } else {
      for (let i = 0; i < r.length; i += 4) {
        const x = r[i], y = r[i + 1], w = r[i + 2], h = r[i + 3];
        out[i] = offset(x, y);
        out[i + 1] = offset(x + w, y);
        out[i + 2] = offset(x, y + h);
        out[i + 3] = offset(x + w, y + h);
      }
    }
  }

  private integralLayout(at: number, rowBytes: number, shift: number, planeBytes: number, entryBytes: number): IntegralLayout {
    const offset = (dx: number, dy: number): number => dy * rowBytes + (dx >> shift) * entryBytes + (dx & shift) * planeBytes;
    this.writeCorners(at, offset);
    const w = this.cascade.windowWidth - 2, h = this.cascade.windowHeight - 2;
    return { rowBytes, shift, planeBytes, corners: at, norm: [offset(1, 1), offset(1 + w, 1), offset(1, 1 + h), offset(1 + w, 1 + h)] };
  }

  /** The memory layout for images of this size; undefined when it does not fit the kernel's memory. */
  private layoutFor(width: number, height: number, maxHits: number): SizeLayout | undefined {
    const old = this.layout;
    if (old && old.width === width && old.height === height && old.maxHits >= maxHits) return old;
    const c = this.cascade;
    const lbp = c.featureType === "LBP";
    const cornerBytes = c.nodeRects.length * (lbp ? 16 : 12);
    // LBP sums are kept modulo 2^16 (integral16): 2-byte entries; Haar's are int32.
    const entryBytes = lbp ? 2 : 4;
    const plainRowBytes = (width + 1) * entryBytes;
    const splitRowBytes = Math.ceil((width + 1) / 2) * entryBytes;
    const planeBytes = (height + 1) * splitRowBytes;
    const integralBytes = Math.max((height + 1) * plainRowBytes, 2 * planeBytes) + 64;
    let at = this.data.end;
    const plainCorners = at; at = align(at + cornerBytes);
    const splitCorners = at; at = align(at + cornerBytes);
    const gray = at; at = align(at + width * height);
    const level = at; at = align(at + width * height);
    const tables = at; at = align(at + 3 * 4 * (width + height));
    const upper = at; at = align(at + 4 * width);
    const lower = at; at = align(at + 4 * width);
    const sums = at; at = align(at + integralBytes);
    const squares = at; at = align(at + integralBytes);
    const hits = at; at = align(at + 8 * maxHits);
    if (!this.reserve(at)) return undefined;
    this.layout = {
      width, height, gray, level, tables, upper, lower, sums, squares, hits, maxHits, end: at,
      plain: this.integralLayout(plainCorners, plainRowBytes, 0, 0, entryBytes),
      split: this.integralLayout(splitCorners, splitRowBytes, 1, planeBytes, entryBytes),
    };
    return this.layout;
  }

  /**
   * Resizes the gray image (already in memory) to the level, its first `width` columns of rows
   * [top, top + height) only; returns where they are (rows `width` bytes apart).
   */
  private resizeLevel(m: SizeLayout, level: PyramidLevel, top: number, width: number, height: number): number {
    const memory = this.kernel.memory.buffer;
    if (level.width === m.width && level.height === m.height) {
      if (width === m.width) return m.gray + top * m.width;
      const from = new Uint8Array(memory, m.gray, m.width * m.height), to = new Uint8Array(memory, m.level, width * height);
      for (let y = 0; y < height; y++) to.set(from.subarray((top + y) * m.width, (top + y) * m.width + width), y * width);
      return m.level;
    }
    const cols = cachedAxis(m.width, level.width), rows = cachedAxis(m.height, level.height);
    const t = new Int32Array(memory, m.tables, 3 * (width + height));
    const r = 3 * width;
    t.set(cols.index.subarray(0, width), 0);
    t.set(cols.w0.subarray(0, width), width);
    t.set(cols.w1.subarray(0, width), 2 * width);
    t.set(rows.index.subarray(top, top + height), r);
    t.set(rows.w0.subarray(top, top + height), r + height);
    t.set(rows.w1.subarray(top, top + height), r + 2 * height);
    // Outputs before an axis's start copy the first source pixel, from its end on the last
    // (as indices into the part resized).
    const within = (v: number, size: number): number => Math.min(size, Math.max(0, v));
    this.kernel.resizeExact(m.gray, m.width, m.height, m.level, width, height,
      m.tables, within(cols.start, width), within(cols.end, width),
      m.tables + 4 * r, within(rows.start - top, height), within(rows.end - top, height), m.upper, m.lower);
    return m.level;
  }

  /**
   * Accepted windows of every level, in OpenCV's order: `onHit(levelIndex, x, y)` with
   * (x, y) in level pixels. With `regions`, only each level's region (and only the pixels its
   * rows cover are resized). Returns false, having scanned nothing, when the image does not
   * fit the kernel's memory (see KERNEL_MEMORY_LIMIT).
   */
  scan(gray: GrayImage, levels: readonly PyramidLevel[], onHit: (level: number, x: number, y: number) => void, regions?: LevelRegions): boolean {
    const c = this.cascade, d = this.data, k = this.kernel;
    const fitting = this.layoutFor(gray.width, gray.height, this.layout?.maxHits ?? 4096);
    if (!fitting) return false;
    let m = fitting;
    new Uint8Array(k.memory.buffer, m.gray, gray.width * gray.height).set(gray.data);
    levels.forEach((level, index) => {
      const originColumns = level.width + 1 - c.windowWidth, originRows = level.height + 1 - c.windowHeight;
      if (originColumns <= 0 || originRows <= 0) return;
      const region = regions ? regions(index, originRows, originColumns) : { first: 0, end: originRows, keepFrom: 0, right: originColumns };
      if (!region || region.end <= region.first || region.right <= region.keepFrom) return;
      const { first, end, keepFrom, right } = region;
      const width = right - 1 + c.windowWidth, height = end - 1 + c.windowHeight - first;
      const pixels = this.resizeLevel(m, level, first, width, height);
      const haar = c.featureType === "HAAR";
      const ly = level.step === 2 ? m.split : m.plain;
      if (haar) k.integral(pixels, width, height, m.sums, m.squares, ly.rowBytes, ly.shift, ly.planeBytes);
      else k.integral16(pixels, width, height, m.sums, ly.rowBytes, ly.shift, ly.planeBytes);
      const run = (): number => {
        k.setKeepFrom(keepFrom);
        return haar
          ? k.scanHaar(m.sums, m.squares, ly.rowBytes, right, end - first, level.step, ly.norm[0], ly.norm[1], ly.norm[2], ly.norm[3],
            (c.windowWidth - 2) * (c.windowHeight - 2), ly.corners, d.floats, d.weights, d.integerWeights ? 1 : 0,
            d.links, d.trees, d.leaves, d.stages, c.stageCount, c.stumps ? 1 : 0, d.leafDifferences ? 1 : 0, m.hits, m.maxHits)
          : k.scanLbp(m.sums, ly.rowBytes, right, end - first, level.step, ly.corners, d.subsets, d.leaves, d.stages, c.stageCount,
            d.leafDifferences ? 1 : 0, m.hits, m.maxHits);
      };
      let count = run();
      if (count > m.maxHits) {
        // More hits than room: grow the buffer (the level's pixels and integrals stay valid) and rescan.
        const grown = this.layoutFor(gray.width, gray.height, count);
        if (!grown) throw new Error(`detectFaces: ${count} windows found on one level, more than the WebAssembly kernel's memory holds; use engine "js"`);
        m = grown;
        count = run();
      }
      const hits = new Int32Array(k.memory.buffer, m.hits, 2 * count);
      for (let i = 0; i < count; i++) onHit(index, hits[2 * i], first + hits[2 * i + 1]);
    });
    return true;
  }
}
