import type { FaceBox } from "@microexp/infer";
import { cvRound } from "./round.js";

/** A detection box and how many raw windows were merged into it. */
export interface Detection extends FaceBox {
  readonly neighbors: number;
}

/** OpenCV's SimilarRects: each side within eps times the smaller box's mean side. */
function similar(a: FaceBox, b: FaceBox, eps: number): boolean {
  const delta = eps * (Math.min(a.width, b.width) + Math.min(a.height, b.height)) * 0.5;
  return Math.abs(a.x - b.x) <= delta && Math.abs(a.y - b.y) <= delta &&
    Math.abs(a.x + a.width - b.x - b.width) <= delta && Math.abs(a.y + a.height - b.y - b.height) <= delta;
}

/**
 * Labels the boxes by equivalence class (union-find with union by rank and path
 * compression, visiting pairs in OpenCV's cv::partition order so classes are numbered the
 * same way). Returns the label of each box and the number of classes.
 */
function partition(boxes: readonly FaceBox[], eps: number): { labels: Int32Array; classes: number } {
  const n = boxes.length;
  const parent = new Int32Array(n).fill(-1);
  const rank = new Int32Array(n);
  const root = (i: number): number => {
    while (parent[i] >= 0) i = parent[i];
    return i;
  };
  for (let i = 0; i < n; i++) {
    let r = root(i);
    for (let j = 0; j < n; j++) {
      if (i === j || !similar(boxes[i], boxes[j], eps)) continue;
      const r2 = root(j);
      if (r2 === r) continue;
      if (rank[r] > rank[r2]) parent[r2] = r;
      else {
        parent[r] = r2;
        if (rank[r] === rank[r2]) rank[r2]++;
        r = r2;
      }
      for (let k = j, up = parent[k]; up >= 0; k = up, up = parent[k]) parent[k] = r;
      for (let k = i, up = parent[k]; up >= 0; k = up, up = parent[k]) parent[k] = r;
    }
  }
  // Number the classes in order of first appearance, as OpenCV does.
  const classOf = new Int32Array(n).fill(-1);
  const labels = new Int32Array(n);
  let classes = 0;
  for (let i = 0; i < n; i++) {
    const r = root(i);
    if (classOf[r] < 0) classOf[r] = classes++;
    labels[i] = classOf[r];
  }
  return { labels, classes };
}

/** Boxes clustered as groupRectangles does: each box's cluster, and each cluster's mean box and size. */
export interface Clusters {
  readonly labels: Int32Array;
  readonly means: FaceBox[];
  readonly counts: Int32Array;
}

/** OpenCV's clustering of similar boxes (cv::partition) and its rounded mean box per cluster. */
export function clusterBoxes(boxes: readonly FaceBox[], eps: number): Clusters {
  const { labels, classes } = partition(boxes, eps);
  const totals = new Float64Array(classes * 4);
  const counts = new Int32Array(classes);
  boxes.forEach((b, i) => {
    const c = labels[i] * 4;
    totals[c] += b.x;
    totals[c + 1] += b.y;
    totals[c + 2] += b.width;
    totals[c + 3] += b.height;
    counts[labels[i]]++;
  });
  const means: FaceBox[] = [];
  for (let c = 0; c < classes; c++) {
    const s = Math.fround(1 / counts[c]);
    const mean = (total: number): number => cvRound(Math.fround(Math.fround(total) * s));
    means.push({ x: mean(totals[c * 4]), y: mean(totals[c * 4 + 1]), width: mean(totals[c * 4 + 2]), height: mean(totals[c * 4 + 3]) });
  }
  return { labels, means, counts };
}

/**
 * The clusters groupRectangles keeps, in order: more than groupThreshold boxes, and not a
 * small cluster inside a bigger, stronger one.
 */
export function keptClusters({ means, counts }: Pick<Clusters, "means" | "counts">, groupThreshold: number, eps: number): number[] {
  const kept: number[] = [];
  for (let i = 0; i < means.length; i++) {
    const r1 = means[i], n1 = counts[i];
    if (n1 <= groupThreshold) continue;
    let swallowed = false;
    for (let j = 0; j < means.length && !swallowed; j++) {
      const n2 = counts[j];
      if (j === i || n2 <= groupThreshold) continue;
      const r2 = means[j];
      const dx = cvRound(r2.width * eps), dy = cvRound(r2.height * eps);
      swallowed = r1.x >= r2.x - dx && r1.y >= r2.y - dy &&
        r1.x + r1.width <= r2.x + r2.width + dx && r1.y + r1.height <= r2.y + r2.height + dy &&
        (n2 > Math.max(3, n1) || n1 < 3);
    }
    if (!swallowed) kept.push(i);
  }
  return kept;
}

/**
 * OpenCV's groupRectangles(rects, groupThreshold, eps): clusters similar boxes, averages each
 * cluster, drops clusters of groupThreshold boxes or fewer and small clusters inside bigger,
 * stronger ones. With groupThreshold <= 0 the boxes come back unchanged (1 neighbour each).
 */
export function groupRectangles(boxes: readonly FaceBox[], groupThreshold: number, eps: number): Detection[] {
  if (groupThreshold <= 0 || boxes.length === 0) return boxes.map((b) => ({ x: b.x, y: b.y, width: b.width, height: b.height, neighbors: 1 }));
  const clusters = clusterBoxes(boxes, eps);
  return keptClusters(clusters, groupThreshold, eps).map((i) => ({ ...clusters.means[i], neighbors: clusters.counts[i] }));
}

/** Intersects each box with the image and drops boxes left empty (OpenCV's clipObjects). */
export function clipToImage(boxes: readonly Detection[], width: number, height: number): Detection[] {
  const out: Detection[] = [];
  for (const b of boxes) {
    const x0 = Math.max(b.x, 0), y0 = Math.max(b.y, 0);
    const x1 = Math.min(b.x + b.width, width), y1 = Math.min(b.y + b.height, height);
    if (x1 > x0 && y1 > y0) out.push({ x: x0, y: y0, width: x1 - x0, height: y1 - y0, neighbors: b.neighbors });
  }
  return out;
}
