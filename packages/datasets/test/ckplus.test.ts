import { rm, symlink, unlink } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CK_PLUS_EMOTIONS, CK_PLUS_LABELS, DatasetError, formatSummary, loadCkPlus, summarizeManifest, type Manifest } from "../src/index.js";
import { buildCkPlus, CK_SEQUENCES, ckFrameName, put, tempDir, tinyPng, type CkSequenceSpec } from "./fixtures.js";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((remove) => remove()));
});

async function ckTree(sequences: readonly CkSequenceSpec[]): Promise<string> {
  const { dir, remove } = await tempDir("ck");
  cleanups.push(remove);
  await buildCkPlus(dir, sequences);
  return dir;
}

function framesOf(manifest: Manifest, sequence: string): [number, string][] {
  return manifest.entries.filter((e) => e.sequence === sequence).map((e) => [e.frame ?? -1, e.labelName]);
}

describe("loadCkPlus, the paper's selection (default)", () => {
  let root: string;
  let manifest: Manifest;
  beforeAll(async () => {
    root = await ckTree(CK_SEQUENCES);
    manifest = await loadCkPlus(root);
  });

  it("takes the last 3 frames of the 5 labelled sequences and the first frame of all 7", () => {
    expect(manifest.entries).toHaveLength(5 * 3 + 7);
    expect(manifest.labelNames).toEqual([...CK_PLUS_LABELS]);
    expect(summarizeManifest(manifest).perClass).toEqual({
      neutral: 7, anger: 3, contempt: 3, disgust: 3, fear: 0, happy: 3, sadness: 0, surprise: 3,
    });
  });

  it("labels the peak frames with the emotion file's code and frame 1 as neutral", () => {
    expect(framesOf(manifest, "S005_001")).toEqual([[1, "neutral"], [3, "disgust"], [4, "disgust"], [5, "disgust"]]);
    expect(framesOf(manifest, "S005_002")).toEqual([[1, "neutral"]]);
    expect(framesOf(manifest, "S011_001")).toEqual([[1, "neutral"], [6, "anger"], [7, "anger"], [8, "anger"]]);
    for (const entry of manifest.entries) expect(entry.labelName).toBe(CK_PLUS_LABELS[entry.label]);
  });

  it("fills path, file, subject, sequence, frame and source", async () => {
    const entry = manifest.entries.find((e) => e.sequence === "S010_002" && e.frame === 4);
    expect(entry).toEqual({
      path: "cohn-kanade-images/S010/002/S010_002_00000004.png",
      file: join(root, "cohn-kanade-images/S010/002/S010_002_00000004.png"),
      label: 5,
      labelName: "happy",
      subject: "S010",
      sequence: "S010_002",
      frame: 4,
      source: "ckplus",
    });
    expect((await sharp(entry?.file).metadata()).format).toBe("png");
  });

  it("sorts entries by path and keeps every path once", () => {
    const paths = manifest.entries.map((e) => e.path);
    expect(paths).toEqual([...paths].sort());
    expect(new Set(paths).size).toBe(paths.length);
  });

  it("reports what it skipped and why: macOS files, Landmarks/FACS, unselected frames", () => {
    const reasons = new Map(summarizeManifest(manifest).skipped.map((s) => [s.reason, s.count]));
    // 7 ._ frames + 7 .DS_Store in sequence folders + 5 ._ emotion files + the root's .DS_Store
    expect(reasons.get("system-file")).toBe(7 + 7 + 5 + 1);
    const totalFrames = CK_SEQUENCES.reduce((n, s) => n + s.frames, 0);
    expect(reasons.get("not-selected")).toBe(totalFrames - manifest.entries.length);
    expect(manifest.skipped).toContainEqual({ path: "Landmarks", reason: "ignored-folder" });
    expect(manifest.skipped).toContainEqual({ path: "FACS", reason: "ignored-folder" });
    expect(manifest.skipped).toContainEqual({ path: "ReadMeCohnKanadeDatabase_website.txt", reason: "not-an-image" });
    expect(formatSummary(manifest)).toMatch(/^ckplus: 22 images, 3 subjects, 7 sequences/);
  });
});

describe("loadCkPlus options", () => {
  let root: string;
  beforeAll(async () => {
    root = await ckTree(CK_SEQUENCES);
  });

  it("peak frame only, no neutral: 7 classes with anger = 0", async () => {
    const manifest = await loadCkPlus(root, { peakFrames: 1, neutral: "none" });
    expect(manifest.labelNames).toEqual([...CK_PLUS_EMOTIONS]);
    expect(manifest.entries.map((e) => [e.sequence, e.frame, e.label, e.labelName])).toEqual([
      ["S005_001", 5, 2, "disgust"],
      ["S010_001", 6, 6, "surprise"],
      ["S010_002", 4, 4, "happy"],
      ["S011_001", 8, 0, "anger"],
      ["S011_004", 5, 1, "contempt"],
    ]);
  });

  it("neutral from labelled sequences only", async () => {
    const manifest = await loadCkPlus(root, { neutral: "labelled-sequences" });
    expect(manifest.entries).toHaveLength(5 * 3 + 5);
    expect(framesOf(manifest, "S005_002")).toEqual([]);
  });

  it("last 3 frames without neutral may include frame 1 of a short sequence", async () => {
    const manifest = await loadCkPlus(root, { neutral: "none" });
    expect(manifest.entries).toHaveLength(15);
    expect(framesOf(manifest, "S010_002")).toEqual([[2, "happy"], [3, "happy"], [4, "happy"]]);
  });

  it("rejects a peakFrames that is not a positive integer", async () => {
    await expect(loadCkPlus(root, { peakFrames: 0 })).rejects.toThrow(RangeError);
  });
});

describe("loadCkPlus on unusual sequences", () => {
  it("never uses the neutral first frame as a peak frame, and reports the short sequence", async () => {
    const root = await ckTree([{ subject: "S020", sequence: "001", frames: 3, emotion: 4 }]);
    const manifest = await loadCkPlus(root);
    expect(framesOf(manifest, "S020_001")).toEqual([[1, "neutral"], [2, "fear"], [3, "fear"]]);
    expect(manifest.skipped).toContainEqual({
      path: "cohn-kanade-images/S020/001",
      reason: "short-sequence",
      detail: "2 of 3 peak frames",
    });
  });

  it("takes the peak frames ending at the labelled frame, not after it", async () => {
    const root = await ckTree([{ subject: "S021", sequence: "002", frames: 8, emotion: 6, labelledFrame: 6 }]);
    const manifest = await loadCkPlus(root);
    expect(framesOf(manifest, "S021_002")).toEqual([[1, "neutral"], [4, "sadness"], [5, "sadness"], [6, "sadness"]]);
  });

  it("records an empty sequence folder", async () => {
    const root = await ckTree(CK_SEQUENCES.slice(0, 1));
    await put(join(root, "cohn-kanade-images", "S005", "003", ".DS_Store"), "junk");
    const manifest = await loadCkPlus(root);
    expect(manifest.skipped).toContainEqual({ path: "cohn-kanade-images/S005/003", reason: "empty-sequence" });
  });
});

describe("loadCkPlus errors name the file and the problem", () => {
  const base = CK_SEQUENCES.slice(0, 2);

  it("a label file that is not a number", async () => {
    const root = await ckTree([...base, { subject: "S030", sequence: "001", frames: 4, emotionText: "happy\n" }]);
    const error = await loadCkPlus(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).file).toBe(join(root, "Emotion/S030/001/S030_001_00000004_emotion.txt"));
    expect((error as Error).message).toMatch(/S030_001_00000004_emotion\.txt: expected one emotion code 1\.\.7.*found "happy"/);
  });

  it("a label code outside 1..7, a fractional code, an empty file", async () => {
    for (const emotionText of ["   9.0000000e+00", "   2.5000000e+00", ""]) {
      const root = await ckTree([{ subject: "S031", sequence: "001", frames: 4, emotionText }]);
      await expect(loadCkPlus(root)).rejects.toThrow(/S031_001_00000004_emotion\.txt: expected one emotion code/);
    }
  });

  it("an unreadable label file (a dangling link)", async () => {
    const root = await ckTree(base);
    const file = join(root, "Emotion/S005/002", ckFrameName("S005", "002", 4, "_emotion.txt"));
    await symlink(join(root, "nowhere.txt"), file);
    await expect(loadCkPlus(root)).rejects.toThrow(`${file}: broken symbolic link`);
  });

  it("a label file whose image sequence is missing", async () => {
    const root = await ckTree(base);
    await put(join(root, "Emotion/S099/001/S099_001_00000003_emotion.txt"), "   1.0000000e+00\n");
    await expect(loadCkPlus(root)).rejects.toThrow(
      /Emotion\/S099\/001\/S099_001_00000003_emotion\.txt: no image sequence folder .*cohn-kanade-images\/S099\/001/,
    );
  });

  it("a label file naming a frame that has no image", async () => {
    const root = await ckTree(base);
    await unlink(join(root, "cohn-kanade-images/S005/001", ckFrameName("S005", "001", 5)));
    await expect(loadCkPlus(root)).rejects.toThrow(/S005_001_00000005_emotion\.txt: labels frame 5, but cohn-kanade-images\/S005\/001 has no image/);
  });

  it("two label files in one sequence", async () => {
    const root = await ckTree(base);
    await put(join(root, "Emotion/S005/001", ckFrameName("S005", "001", 4, "_emotion.txt")), "   1.0000000e+00\n");
    await expect(loadCkPlus(root)).rejects.toThrow(/Emotion\/S005\/001: more than one emotion label file/);
  });

  it("a frame filed under the wrong sequence", async () => {
    const root = await ckTree(base);
    await put(join(root, "cohn-kanade-images/S005/002", ckFrameName("S010", "002", 9)), await tinyPng());
    await expect(loadCkPlus(root)).rejects.toThrow(/S010_002_00000009\.png: file name says S010_002 but it is in cohn-kanade-images\/S005\/002/);
  });

  it("a root without the CK+ folders, and a missing root", async () => {
    const root = await ckTree(base);
    await rm(join(root, "Emotion"), { recursive: true });
    await expect(loadCkPlus(root)).rejects.toThrow(`${root}: no "Emotion" folder`);
    await expect(loadCkPlus(join(root, "missing"))).rejects.toThrow(`${join(root, "missing")}: folder not found`);
  });
});
