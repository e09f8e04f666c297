import { beforeAll, describe, expect, it } from "vitest";
import type { FaceBox } from "@microexp/infer";
import { groupRectangles } from "../src/detect/group.js";
import { loadOpenCv, type OpenCv } from "./opencv.js";
import { seededRandom } from "../../../test-support/random.js";

let cv: OpenCv;
beforeAll(async () => {
  ({ cv } = await loadOpenCv());
});

function openCvGroup(boxes: FaceBox[], threshold: number, eps: number): Array<FaceBox & { neighbors: number }> {
  const list = new cv.RectVector();
  const weights = new cv.IntVector();
  try {
    for (const b of boxes) list.push_back(new cv.Rect(b.x, b.y, b.width, b.height));
    cv.groupRectangles(list, weights, threshold, eps);
    const out = [];
    for (let i = 0; i < list.size(); i++) {
      const r = list.get(i);
      out.push({ x: r.x, y: r.y, width: r.width, height: r.height, neighbors: weights.get(i) });
    }
    return out;
  } finally {
    list.delete();
    weights.delete();
  }
}

/** Clusters of jittered boxes (like raw detections), some nested, in random order. */
function randomDetections(random: () => number): FaceBox[] {
  const boxes: FaceBox[] = [];
  const clusters = 1 + Math.floor(random() * 6);
  for (let c = 0; c < clusters; c++) {
    const size = 20 + Math.floor(random() * 150);
    const x = Math.floor(random() * 400), y = Math.floor(random() * 300);
    const count = 1 + Math.floor(random() * 12);
    for (let i = 0; i < count; i++) {
      const s = Math.max(4, size + Math.floor((random() - 0.5) * size * 0.3));
      boxes.push({ x: x + Math.floor((random() - 0.5) * size * 0.25), y: y + Math.floor((random() - 0.5) * size * 0.25), width: s, height: s });
    }
  }
  for (let i = boxes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [boxes[i], boxes[j]] = [boxes[j], boxes[i]];
  }
  return boxes;
}

describe("groupRectangles", () => {
  it("equals cv.groupRectangles (boxes, order and neighbour counts) on 300 random detection sets", () => {
    const random = seededRandom(5);
    for (let t = 0; t < 300; t++) {
      const boxes = randomDetections(random);
      const threshold = Math.floor(random() * 6);
      const eps = [0.2, 0.1, 0.5][t % 3];
      const ours = groupRectangles(boxes, threshold, eps);
      if (threshold > 0) expect(ours, `set ${t}`).toEqual(openCvGroup(boxes, threshold, eps));
      else expect(ours.map(({ neighbors }) => neighbors).every((n) => n === 1)).toBe(true);
    }
  });

  it("drops a small, weaker cluster inside a bigger one", () => {
    const big = Array.from({ length: 6 }, (_, i) => ({ x: 100 + (i % 2), y: 100, width: 100, height: 100 }));
    const small = Array.from({ length: 2 }, () => ({ x: 130, y: 130, width: 30, height: 30 }));
    expect(groupRectangles([...small, ...big], 1, 0.2)).toEqual([{ x: 100, y: 100, width: 100, height: 100, neighbors: 6 }]);
  });
});
