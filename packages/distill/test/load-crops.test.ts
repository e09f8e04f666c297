// The crop set holds the same crops as @microexp/face and @microexp/infer make: the training
// crops of the paper, and crop 6 is the runtime's inference crop. Real faces are read by path
// and the tests on them skip LOUDLY when the folder is absent.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import type { ManifestEntry } from "@microexp/datasets";
import { loadFolderDataset } from "@microexp/datasets";
import { decodeImageFile } from "@microexp/face/node";
import { paperInferenceCrop } from "@microexp/infer";
import { CROP_PIXELS, CROPS_PER_IMAGE } from "../src/crop-set.js";
import { INFERENCE_CROP_INDEX } from "../src/evaluate.js";
import { loadCropSet } from "../src/load-crops.js";
import { tempDir, uniform } from "./helpers.js";
import { DATA_ROOT, REFERENCE_ROOT } from "../../../test-support/research-paths.js";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const LONDON = join(REFERENCE_ROOT, "images", "london-sample");
const temp = tempDir("crops");
afterAll(() => temp.remove());

function present(folder: string): boolean {
  if (!existsSync(folder)) console.warn(`[distill] SKIPPING tests on ${folder}: folder not found (set MICROEXP_DATA or MICROEXP_REFERENCE)`);
  return existsSync(folder);
}

function entry(file: string, label: number): ManifestEntry {
  return { path: file, file, label, labelName: String(label), subject: null, sequence: null, frame: null, source: "test" };
}

function crop(pixels: Uint8Array, image: number, c: number): number[] {
  const start = (image * CROPS_PER_IMAGE + c) * CROP_PIXELS;
  return Array.from(pixels.subarray(start, start + CROP_PIXELS));
}

describe("loadCropSet", () => {
  it("cuts the paper's 8 crops of every image, crop 6 being the inference crop", async () => {
    mkdirSync(join(temp.dir, "faces"), { recursive: true });
    const random = uniform(9);
    const files: string[] = [];
    for (let i = 0; i < 3; i++) {
      const pixels = Buffer.from(Array.from({ length: 100 * 90 * 3 }, () => Math.floor(random() * 256)));
      const file = join(temp.dir, "faces", `face${i}.png`);
      await sharp(pixels, { raw: { width: 100, height: 90, channels: 3 } }).png().toFile(file);
      files.push(file);
    }
    const progress: number[] = [];
    const set = await loadCropSet(files.map((f, i) => entry(f, i % 2)), ["a", "b"], { onProgress: (done) => progress.push(done) });
    expect(set.count).toBe(3);
    expect(Array.from(set.labels)).toEqual([0, 1, 0]);
    expect(progress).toEqual([1, 2, 3]);
    for (let i = 0; i < 3; i++) {
      const image = await decodeImageFile(files[i]);
      expect(crop(set.pixels, i, INFERENCE_CROP_INDEX)).toEqual(Array.from(paperInferenceCrop(image)));
      expect(crop(set.pixels, i, 0)).not.toEqual(crop(set.pixels, i, INFERENCE_CROP_INDEX));
    }
  });

  it("names the file that cannot be decoded", async () => {
    const bad = join(temp.dir, "not-an-image.png");
    writeFileSync(bad, "hello");
    await expect(loadCropSet([entry(bad, 0)], ["a", "b"])).rejects.toThrow(/not-an-image\.png/);
  });

  it("refuses damaged images, naming them: a corrupt JPEG scan, a PNG with a bad checksum", async () => {
    const random = uniform(3);
    const pixels = Buffer.from(Array.from({ length: 96 * 96 * 3 }, () => Math.floor(random() * 256)));
    const jpeg = await sharp(pixels, { raw: { width: 96, height: 96, channels: 3 } }).jpeg().toBuffer();
    const png = await sharp(pixels, { raw: { width: 96, height: 96, channels: 3 } }).png().toBuffer();
    const scan = Buffer.from(jpeg);
    scan.fill(0xff, scan.length >> 1, (scan.length >> 1) + 40); // marker bytes in the middle of the entropy-coded scan
    const checksum = Buffer.from(png);
    checksum[png.indexOf("IDAT") + 20] ^= 0xff; // a flipped byte inside the IDAT chunk: its CRC no longer matches
    for (const [name, bytes] of [["corrupt-scan.jpg", scan], ["bad-crc.png", checksum]] as const) {
      const file = join(temp.dir, name);
      writeFileSync(file, bytes);
      await expect(sharp(bytes, { failOn: "truncated" }).raw().toBuffer()).resolves.toBeDefined(); // the lenient decode accepts it without a word
      await expect(loadCropSet([entry(file, 0)], ["a", "b"])).rejects.toThrow(name);
    }
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(loadCropSet([entry(join(temp.dir, "faces", "face0.png"), 0)], ["a", "b"], { signal: controller.signal })).rejects.toThrow("stop");
  });

  describe.skipIf(!present(LONDON))("with the paper's face detector (london-sample photos)", () => {
    // Run in plain Node on the built packages: vitest's module runner wraps inlined code in a
    // function with a \`module\` parameter, which the face detector's top-level \`var module\`
    // (its compiled wasm kernel) then aliases, so detection cannot run inside vitest.
    it("crops the face that @microexp/face finds", () => {
      const dist = (name: string, entry = "index") => JSON.stringify(pathToFileURL(join(repo, "packages", name, "dist", `${entry}.js`)).href);
      const script = `
        import { readdirSync } from "node:fs";
        import { join } from "node:path";
        import { loadCropSet } from ${dist("distill")};
        import { loadCascade, paperFaceCrops } from ${dist("face")};
        import { decodeImageFile } from ${dist("face", "node")};
        const folder = join(${JSON.stringify(LONDON)}, "happy");
        const files = readdirSync(folder).filter((f) => /\\.(jpe?g|png)$/i.test(f)).slice(0, 2).map((f) => join(folder, f));
        const entries = files.map((file) => ({ path: file, file, label: 0, labelName: "happy", subject: null, sequence: null, frame: null, source: "test" }));
        const detected = await loadCropSet(entries, ["happy", "other"], { detectFaces: true });
        const whole = await loadCropSet(entries, ["happy", "other"], { detectFaces: false });
        const cascade = await loadCascade();
        const out = [];
        for (let i = 0; i < files.length; i++) {
          const expected = paperFaceCrops(await decodeImageFile(files[i]), cascade);
          const per = 8 * 7056;
          const same = expected.training.every((crop, c) => crop.every((v, p) => detected.pixels[i * per + c * 7056 + p] === v));
          const differs = detected.pixels.subarray(i * per, (i + 1) * per).some((v, p) => whole.pixels[i * per + p] !== v);
          out.push({ file: files[i], box: expected.box, same, differs });
        }
        console.log(JSON.stringify(out));`;
      const file = join(temp.dir, "detect.mjs");
      writeFileSync(file, script);
      const result = spawnSync(process.execPath, [file], { encoding: "utf8" });
      expect(result.stderr).toBe("");
      const faces = JSON.parse(result.stdout) as Array<{ box: object | null; same: boolean; differs: boolean }>;
      expect(faces).toHaveLength(2);
      for (const face of faces) {
        expect(face.box).not.toBeNull();
        expect(face.same).toBe(true); // the crop set holds the crops of the face @microexp/face finds
        expect(face.differs).toBe(true); // and not those of the whole photo
      }
    });
  });

  describe.skipIf(!present(join(DATA_ROOT, "ckplus48")))("on ckplus48 (research data, read by path)", () => {
    it("loads 14 faces with their labels", async () => {
      const manifest = await loadFolderDataset(join(DATA_ROOT, "ckplus48"));
      const chosen = manifest.labelNames.flatMap((_, label) => manifest.entries.filter((e) => e.label === label).slice(0, 2));
      const set = await loadCropSet(chosen, manifest.labelNames);
      expect(set.count).toBe(14);
      expect(Array.from(set.labels)).toEqual(chosen.map((e) => e.label));
      // Real faces: every crop has contrast.
      for (let i = 0; i < set.count; i++) {
        const c = crop(set.pixels, i, INFERENCE_CROP_INDEX);
        expect(Math.max(...c) - Math.min(...c)).toBeGreaterThan(50);
      }
    });
  });
});
