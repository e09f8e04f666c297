import { beforeAll, describe, expect, it } from "vitest";
import { TRAINING_CROP_OFFSETS, grayImage, paperInferenceCrop, resizeBilinear, toGray, type FaceBox, type ImageLike } from "@microexp/infer";
import { PAPER_DETECT_OPTIONS, detectFaces, findPaperFace, largestFace, loadCascade, paperFaceCrop, paperFaceCrops, type Cascade } from "../src/index.js";
import { cropsFromFile } from "../src/node.js";
import { FIXTURES, loadPhoto } from "./fixtures.js";
import { loadOpenCv, openCvCascade, type OpenCv } from "./opencv.js";

let cv: OpenCv;
let paper: Cascade;
beforeAll(async () => {
  ({ cv } = await loadOpenCv());
  paper = await loadCascade();
});

/** The authors' pipeline written with OpenCV calls: gray, detectMultiScale(1.3, 5), faces[0] or the whole image, 256, crop, 84. */
function openCvPaperCrops(image: ImageLike, offsets: ReadonlyArray<readonly [number, number]>): { box: FaceBox | null; crops: Float32Array[] } {
  const rgb = new cv.Mat(image.height, image.width, image.channels === 1 ? cv.CV_8UC1 : cv.CV_8UC3);
  const gray = new cv.Mat(), face256 = new cv.Mat(), input = new cv.Mat(), faces = new cv.RectVector();
  try {
    rgb.data.set(image.data);
    if (image.channels === 1) rgb.copyTo(gray);
    else cv.cvtColor(rgb, gray, cv.COLOR_RGB2GRAY);
    openCvCascade(cv, "haarcascade_frontalface_default").detectMultiScale(gray, faces, 1.3, 5, 0, new cv.Size(0, 0), new cv.Size(0, 0));
    const r = faces.size() > 0 ? faces.get(0) : new cv.Rect(0, 0, image.width, image.height);
    const face = gray.roi(r);
    cv.resize(face, face256, new cv.Size(256, 256), 0, 0, cv.INTER_LINEAR);
    face.delete();
    const crops = offsets.map(([row, col]) => {
      const window = face256.roi(new cv.Rect(col, row, 224, 224));
      cv.resize(window, input, new cv.Size(84, 84), 0, 0, cv.INTER_LINEAR);
      window.delete();
      return Float32Array.from(input.data);
    });
    return { box: faces.size() > 0 ? { x: r.x, y: r.y, width: r.width, height: r.height } : null, crops };
  } finally {
    for (const m of [rgb, gray, face256, input, faces]) m.delete();
  }
}

const PHOTOS = [`${FIXTURES}astronaut.png`, `${FIXTURES}london/happy-004_08.jpg`, `${FIXTURES}london/neutral-007_03.jpg`];

describe("the paper's crop policy", () => {
  it.each(PHOTOS)("paperFaceCrops equals the OpenCV pipeline on %s", async (path) => {
    const image = await loadPhoto(path);
    const ours = paperFaceCrops(image, paper);
    const reference = openCvPaperCrops(image, [[32, 32], ...TRAINING_CROP_OFFSETS]);
    expect(ours.box).toEqual(reference.box);
    expect(ours.box).not.toBeNull();
    expect(ours.input).toEqual(reference.crops[0]);
    expect(ours.training).toHaveLength(8);
    ours.training.forEach((crop, i) => expect(crop, `training crop ${i}`).toEqual(reference.crops[i + 1]));
    expect(paperFaceCrop(image, paper)).toEqual({ box: ours.box, input: ours.input });
  });

  it("uses the whole image when there is no face", () => {
    const flat = grayImage(120, 90, Uint8Array.from({ length: 120 * 90 }, (_, i) => (i * 7) % 256));
    const { box, input } = paperFaceCrop(flat, paper);
    expect(box).toBeNull();
    expect(input).toEqual(paperInferenceCrop(flat));
    expect(input).toEqual(openCvPaperCrops(flat, [[32, 32]]).crops[0]);
  });

  it("takes the largest of several faces; pick \"first\" takes OpenCV's first, as the paper's code", async () => {
    // The same portrait twice, the right copy 1.5 times larger (gray, side by side).
    const small = toGray(await loadPhoto(`${FIXTURES}london/neutral-001_03.jpg`));
    const large = resizeBilinear(small, Math.round(small.width * 1.5), Math.round(small.height * 1.5));
    const width = small.width + large.width, height = large.height;
    const data = new Uint8Array(width * height).fill(128);
    for (let y = 0; y < small.height; y++) data.set(small.data.subarray(y * small.width, (y + 1) * small.width), y * width);
    for (let y = 0; y < large.height; y++) data.set(large.data.subarray(y * large.width, (y + 1) * large.width), y * width + small.width);
    const pair = grayImage(width, height, data);
    const faces = detectFaces(pair, paper, "paper");
    expect(faces).toHaveLength(2);
    const biggest = faces.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    expect(biggest.x).toBeGreaterThan(small.width); // the right, larger copy
    const { neighbors: _, ...box } = biggest;
    expect(findPaperFace(pair, paper)).toEqual(box);
    expect(paperFaceCrop(pair, paper).box).toEqual(box);
    expect(paperFaceCrops(pair, paper).box).toEqual(box);
    const opencvFirst = openCvPaperCrops(pair, []).box;
    expect(findPaperFace(pair, paper, { pick: "first" })).toEqual(opencvFirst);
    expect(paperFaceCrop(pair, paper, { pick: "first" }).box).toEqual(opencvFirst);
    expect(opencvFirst).not.toEqual(box); // OpenCV lists the smaller face first here: the two policies differ
    expect(largestFace([])).toBeUndefined();
    // @ts-expect-error: not a policy
    expect(() => findPaperFace(pair, paper, { pick: "middle" })).toThrow(/pick must be "largest" or "first", got middle/);
  });

  it("takes the first of two equal faces, as the paper does", async () => {
    // Two copies of a portrait side by side: OpenCV's order decides which is "first".
    const one = await loadPhoto(`${FIXTURES}london/neutral-001_03.jpg`);
    const data = new Uint8Array(one.width * 2 * one.height * 3);
    for (let y = 0; y < one.height; y++) {
      const row = one.data.subarray(y * one.width * 3, (y + 1) * one.width * 3);
      data.set(row, y * one.width * 6);
      data.set(row, y * one.width * 6 + one.width * 3);
    }
    const pair: ImageLike = { width: one.width * 2, height: one.height, data, channels: 3 };
    expect(detectFaces(pair, paper, PAPER_DETECT_OPTIONS)).toHaveLength(2);
    expect(findPaperFace(pair, paper, { pick: "first" })).toEqual(openCvPaperCrops(pair, []).box);
    // Equal areas: the largest is the first of them.
    expect(findPaperFace(pair, paper)).toEqual(openCvPaperCrops(pair, []).box);
  });

  it("cropsFromFile runs file -> decode -> detect -> 84x84 crops", async () => {
    const path = `${FIXTURES}astronaut.png`;
    const result = await cropsFromFile(path);
    const expected = paperFaceCrops(await loadPhoto(path), paper);
    expect([result.path, result.width, result.height]).toEqual([path, 512, 512]);
    expect(result.box).toEqual(expected.box);
    expect(result.input).toEqual(expected.input);
    expect(result.training).toEqual(expected.training);
    await expect(cropsFromFile(`${FIXTURES}missing.jpg`)).rejects.toThrow(/missing\.jpg: cannot read the file/);
  });
});
