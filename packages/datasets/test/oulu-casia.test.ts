import { rename } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetError, loadOuluCasia, OULU_CASIA_LABELS, summarizeManifest, type Manifest } from "../src/index.js";
import { buildOuluCasia, put, tempDir, tinyJpeg } from "./fixtures.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((remove) => remove()));
});

async function ouluTree(...args: Parameters<typeof buildOuluCasia> extends [string, infer S] ? [S] : never): Promise<string> {
  const { dir, remove } = await tempDir("oulu");
  cleanups.push(remove);
  await buildOuluCasia(dir, args[0]);
  return dir;
}

// Sequence lengths vary by subject, expression and subset, as in the real data (here 4..8 frames).
const frames = (p: number, e: number, subset: string) => (subset === "VL/Strong" ? 4 + ((p + e) % 5) : 1);

describe("loadOuluCasia, the paper's VL/Strong subset of 80 subjects", () => {
  let root: string;
  let manifest: Manifest;
  beforeAll(async () => {
    root = await ouluTree({ release: "OriginalImg", subjects: 80, frames, subsets: ["VL/Strong", "NI/Strong"] });
    manifest = await loadOuluCasia(root);
  });

  it("has 480 sequences, 1,440 images, 240 per class, 80 subjects", () => {
    const summary = summarizeManifest(manifest);
    expect(summary.entries).toBe(1440);
    expect(summary.sequences).toBe(480);
    expect(summary.subjects).toBe(80);
    expect(manifest.labelNames).toEqual([...OULU_CASIA_LABELS]);
    expect(Object.values(summary.perClass)).toEqual([240, 240, 240, 240, 240, 240]);
  });

  it("takes the last 3 frames of every sequence", () => {
    for (let p = 1; p <= 80; p++) {
      OULU_CASIA_LABELS.forEach((name, e) => {
        const subject = `P${String(p).padStart(3, "0")}`;
        const chosen = manifest.entries.filter((x) => x.sequence === `${subject}_${name}`);
        const n = frames(p, e, "VL/Strong");
        expect(chosen.map((x) => x.frame)).toEqual([n - 3, n - 2, n - 1]);
        expect(chosen.every((x) => x.label === e && x.labelName === name && x.subject === subject)).toBe(true);
      });
    }
  });

  it("fills path and file, and the files are real JPEGs", async () => {
    const entry = manifest.entries[0];
    expect(entry.path).toBe("OriginalImg/VL/Strong/P001/Anger/002.jpeg");
    expect(entry.file).toBe(join(root, entry.path));
    expect(entry.source).toBe("oulu-casia");
    expect((await sharp(entry.file).metadata()).format).toBe("jpeg");
  });

  it("reports the other subsets, the unselected frames and the system files", () => {
    expect(manifest.skipped).toContainEqual({ path: "OriginalImg/NI", reason: "ignored-folder", detail: "subset not selected" });
    const reasons = new Map(summarizeManifest(manifest).skipped.map((s) => [s.reason, s.count]));
    let total = 0;
    for (let p = 1; p <= 80; p++) for (let e = 0; e < 6; e++) total += frames(p, e, "VL/Strong");
    expect(reasons.get("not-selected")).toBe(total - 1440);
    expect(reasons.get("system-file")).toBe(3);
  });

  it("names a subset that is not there", async () => {
    await expect(loadOuluCasia(root, { illumination: "Dark" })).rejects.toThrow(
      `${join(root, "OriginalImg", "VL")}: no "Dark" folder (found: Strong)`,
    );
  });
});

describe("loadOuluCasia layouts and errors", () => {
  const small = { subjects: 2, frames: () => 4, subsets: ["VL/Strong"] };

  it("selects another subset", async () => {
    const subsetFrames = (_p: number, e: number, subset: string) => (subset === "VL/Weak" ? 6 : 4 + e);
    const root = await ouluTree({ release: "OriginalImg", subjects: 3, frames: subsetFrames });
    const weak = await loadOuluCasia(root, { illumination: "Weak" });
    expect(weak.entries).toHaveLength(3 * 6 * 3);
    expect(weak.entries[0].path).toBe("OriginalImg/VL/Weak/P001/Anger/003.jpeg");
    expect(weak.skipped).toContainEqual({ path: "OriginalImg/VL/Strong", reason: "ignored-folder", detail: "subset not selected" });
    const nir = await loadOuluCasia(root, { spectrum: "NI", peakFrames: 1 });
    expect(nir.entries).toHaveLength(3 * 6);
    expect(nir.entries.filter((e) => e.subject === "P002").map((e) => e.path.split("/").slice(-2).join("/"))).toEqual([
      "Anger/003.jpeg", "Disgust/004.jpeg", "Fear/005.jpeg", "Happiness/006.jpeg", "Sadness/007.jpeg", "Surprise/008.jpeg",
    ]);
  });

  it("reads the cropped release", async () => {
    const root = await ouluTree({ release: "Cropped", ...small });
    const manifest = await loadOuluCasia(root);
    expect(manifest.entries).toHaveLength(2 * 6 * 3);
    expect(manifest.entries[0].path).toBe("Cropped/VL/Strong/P001/Anger/001.jpeg");
  });

  it("prefers OriginalImg when both releases are present, and takes release to choose", async () => {
    const root = await ouluTree({ release: "OriginalImg", ...small });
    await buildOuluCasia(root, { release: "Cropped", ...small });
    expect((await loadOuluCasia(root)).entries[0].path).toMatch(/^OriginalImg\//);
    expect((await loadOuluCasia(root, { release: "Cropped" })).entries[0].path).toMatch(/^Cropped\//);
  });

  it("accepts a root that holds VL and NI directly", async () => {
    const root = await ouluTree({ release: "", ...small });
    expect((await loadOuluCasia(root)).entries[0].path).toBe("VL/Strong/P001/Anger/001.jpeg");
  });

  it("sorts frames by number when names are not zero-padded", async () => {
    const root = await ouluTree({ release: "OriginalImg", ...small });
    const dir = join(root, "OriginalImg/VL/Strong/P002/Fear");
    for (const n of [8, 9, 10, 11]) await put(join(dir, `${n}.jpeg`), await tinyJpeg());
    const manifest = await loadOuluCasia(root);
    const chosen = manifest.entries.filter((e) => e.sequence === "P002_fear").map((e) => e.frame ?? -1);
    expect(chosen.sort((a, b) => a - b)).toEqual([9, 10, 11]);
  });

  it("names an unknown class folder", async () => {
    const root = await ouluTree({ release: "OriginalImg", ...small });
    await put(join(root, "OriginalImg/VL/Strong/P002/Neutral/000.jpeg"), await tinyJpeg());
    const error = await loadOuluCasia(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toBe(
      `${join(root, "OriginalImg/VL/Strong/P002/Neutral")}: unknown class folder; expected one of ${OULU_CASIA_LABELS.join(", ")}`,
    );
  });

  it("accepts class-name aliases but not two folders for one class", async () => {
    const root = await ouluTree({ release: "OriginalImg", ...small });
    await rename(join(root, "OriginalImg/VL/Strong/P001/Happiness"), join(root, "OriginalImg/VL/Strong/P001/Happy"));
    const manifest = await loadOuluCasia(root);
    expect(manifest.entries.filter((e) => e.path.includes("/P001/Happy/"))).toHaveLength(3);
    expect(manifest.entries.find((e) => e.path.includes("/P001/Happy/"))?.labelName).toBe("happiness");
    await put(join(root, "OriginalImg/VL/Strong/P001/Happiness/000.jpeg"), await tinyJpeg());
    await expect(loadOuluCasia(root)).rejects.toThrow(/P001: two folders for class happiness: Happiness, Happy/);
  });

  it("names a root that is not Oulu-CASIA", async () => {
    const { dir, remove } = await tempDir("not-oulu");
    cleanups.push(remove);
    await put(join(dir, "images/x.jpeg"), await tinyJpeg());
    await expect(loadOuluCasia(dir)).rejects.toThrow(`${dir}: no OriginalImg, Cropped or VL folder`);
  });
});
