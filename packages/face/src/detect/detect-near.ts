import { toGray, type FaceBox, type ImageLike } from "@microexp/infer";
import type { Cascade } from "../cascade/compile.js";
import { checkOptions, detectionLevels, GROUP_EPS, scanWindows, type DetectOptions } from "./detect-faces.js";
import { clipToImage, clusterBoxes, keptClusters, type Detection } from "./group.js";
import { levelRegion, type LevelRegion, type PyramidLevel } from "./scales.js";
import { resolveDetectOptions, type DetectPreset } from "./presets.js";

// detectFaces for one place in the image: the windows of the sizes and places around a box, far
// fewer than the whole pyramid's, and the same boxes detectFaces returns there. OpenCV's
// grouping only joins windows whose sides differ by at most 1 + 2 eps (1.4 times) and whose
// origins are at most eps times a side apart, so a cluster is whole once every window that
// close to each of its members was scanned; each found cluster is checked for that, and the
// search grows until it holds (or covers the image).

/** Scans that may grow the searched area before it becomes the whole image. */
const GROWING_SCANS = 3;

/** Sides of similar windows differ by at most this factor (OpenCV's SimilarRects). */
const SIMILAR_SIDES = 1 + 2 * GROUP_EPS;

/** A search: window sides low..high, window origins in top..bottom x left..right (image pixels). */
interface Search {
  low: number;
  high: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * The part of `search` a cluster needs scanned: every size and origin a window similar to one
 * of its members can have. Returns whether `search` already covers it, and grows it to do so.
 */
function cover(search: Search, members: readonly FaceBox[]): boolean {
  let covered = true;
  for (const m of members) {
    const side = Math.max(m.width, m.height);
    // One extra pixel for rounding between level and image pixels.
    const reach = GROUP_EPS * side + 1;
    const need = {
      low: Math.min(m.width, m.height) / SIMILAR_SIDES,
      high: side * SIMILAR_SIDES,
      top: m.y - reach,
      bottom: m.y + reach,
      left: m.x - reach,
      right: m.x + reach,
    };
    if (need.low < search.low) [search.low, covered] = [need.low, false];
    if (need.high > search.high) [search.high, covered] = [need.high, false];
    if (need.top < search.top) [search.top, covered] = [need.top, false];
    if (need.bottom > search.bottom) [search.bottom, covered] = [need.bottom, false];
    if (need.left < search.left) [search.left, covered] = [need.left, false];
    if (need.right > search.right) [search.right, covered] = [need.right, false];
  }
  return covered;
}

function intersects(a: FaceBox, b: FaceBox): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Whether region `a` holds every window of region `b`. */
function contains(a: LevelRegion, b: LevelRegion): boolean {
  return a.first <= b.first && a.end >= b.end && a.keepFrom <= b.keepFrom && a.right >= b.right;
}

/**
 * detectFaces(image, cascade, options) around one box, for a face whose place and size are
 * about known (a tracked face, a face found in a reduced copy of the frame): the paper's exact
 * box at a fraction of a full scan. Scans the windows with sides from half to twice `near`'s
 * and origins from 0.7 of a side before its own to 0.4 after, grows the scan until every
 * cluster of windows found that overlaps `near` is whole, and returns those clusters' boxes as
 * detectFaces does (same boxes, same neighbour counts, in its order). One difference:
 * detectFaces drops a cluster that a bigger, stronger one contains; one outside this search
 * cannot drop it here.
 */
export function detectFacesNear(image: ImageLike, cascade: Cascade, near: FaceBox, preset: DetectOptions | DetectPreset = {}): Detection[] {
  const options = resolveDetectOptions(preset);
  const { scaleFactor, minNeighbors } = checkOptions(options);
  if (minNeighbors < 1) throw new RangeError(`detectFacesNear: minNeighbors must be at least 1 (it returns grouped boxes), got ${minNeighbors}`);
  if (!(near.width > 0 && near.height > 0)) throw new RangeError(`detectFacesNear: the box must have a positive size, got ${near.width}x${near.height}`);
  const gray = toGray(image);
  const levels = detectionLevels(gray, cascade, options, scaleFactor);
  const engine = options.engine ?? "auto";
  // A first guess at what a face's cluster needs, so that one scan usually suffices: its
  // windows have sides of about 0.7 to 1.5 times the box's and are centred on the face
  // (bigger ones start up and left of the box), and similar windows reach 1.4 times further.
  const side = Math.max(near.width, near.height);
  const search: Search = {
    low: Math.min(near.width, near.height) / 2,
    high: side * 2.1,
    top: near.y - 0.7 * side,
    bottom: near.y + 0.4 * side,
    left: near.x - 0.7 * side,
    right: near.x + 0.4 * side,
  };
  const origins = (level: PyramidLevel): [number, number] => [level.height + 1 - cascade.windowHeight, level.width + 1 - cascade.windowWidth];
  // What is scanned so far, per level.
  const scanned: ({ region: LevelRegion; windows: Detection[] } | undefined)[] = levels.map(() => undefined);
  for (let pass = 1; ; pass++) {
    const todo = levels.map((level, i) => {
      const [rows, columns] = origins(level);
      if (level.windowWidth < search.low || level.windowWidth > search.high || rows <= 0 || columns <= 0) return undefined;
      const wanted = levelRegion(level, rows, columns, search);
      const done = scanned[i];
      return done && contains(done.region, wanted) ? undefined : wanted;
    });
    if (todo.some((region) => region !== undefined)) {
      const windows = scanWindows(gray, cascade, levels, engine, (i) => todo[i]);
      todo.forEach((region, i) => {
        if (region) scanned[i] = { region, windows: windows[i] };
      });
    }
    const windows = scanned.flatMap((level) => level?.windows ?? []);
    const clusters = clusterBoxes(windows, GROUP_EPS);
    const members: FaceBox[][] = clusters.means.map(() => []);
    windows.forEach((w, i) => members[clusters.labels[i]].push(w));
    const overlapping = clusters.means.map((_m, c) => c).filter((c) => intersects(clusters.means[c], near));
    // Every cluster overlapping the box must be whole: grow the search over what any needs.
    let whole = true;
    for (const c of overlapping) whole = cover(search, members[c]) && whole;
    const everything = levels.every((level, i) => {
      const [rows, columns] = origins(level), done = scanned[i]?.region;
      return rows <= 0 || columns <= 0 || (done !== undefined && done.first === 0 && done.end >= rows && done.keepFrom === 0 && done.right >= columns);
    });
    if (whole || everything) {
      // Only whole clusters may drop one another (a part of a cluster has too few windows).
      const found = {
        means: overlapping.map((c) => clusters.means[c]),
        counts: Int32Array.from(overlapping, (c) => clusters.counts[c]),
      };
      const kept = keptClusters(found, minNeighbors, GROUP_EPS).map((k) => overlapping[k]);
      return clipToImage(kept.map((c) => ({ ...clusters.means[c], neighbors: clusters.counts[c] })), gray.width, gray.height);
    }
    // A cluster that keeps growing (windows chained across a texture): scan its sizes over the
    // whole image rather than a little more each time: at worst about one full scan more.
    if (pass >= GROWING_SCANS) Object.assign(search, { top: -Infinity, bottom: Infinity, left: -Infinity, right: Infinity });
  }
}
