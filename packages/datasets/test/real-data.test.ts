// Counts on the research copies in shared/data (read by path, never copied). Skips loudly when absent.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CK_PLUS_EMOTIONS,
  CK_PLUS_LABELS,
  fer2013Split,
  FER2013_LABELS,
  loadFer2013,
  loadFolderDataset,
  randomKFold,
  subjectKFold,
  summarizeManifest,
} from "../src/index.js";
import { DATA_ROOT, hasData } from "./data-root.js";

describe.skipIf(!hasData("ckplus48"))("ckplus48 (real data)", () => {
  it("has 981 faces of 118 subjects in the 7 CK+ classes", async () => {
    const manifest = await loadFolderDataset(join(DATA_ROOT, "ckplus48"), { labelNames: CK_PLUS_EMOTIONS });
    const summary = summarizeManifest(manifest);
    expect(summary.entries).toBe(981);
    expect(summary.subjects).toBe(118);
    expect(summary.sequences).toBe(327);
    expect(summary.perClass).toEqual({ anger: 135, contempt: 54, disgust: 177, fear: 75, happy: 207, sadness: 84, surprise: 249 });
    expect(manifest.skipped).toEqual([]);
    // Without names given, the sorted folders are the same 7 classes in the same order.
    expect((await loadFolderDataset(join(DATA_ROOT, "ckplus48"))).labelNames).toEqual([...CK_PLUS_EMOTIONS]);
  });

  it("makes the paper's 10 subject-independent folds, balanced in class mix", async () => {
    const manifest = await loadFolderDataset(join(DATA_ROOT, "ckplus48"), { labelNames: CK_PLUS_EMOTIONS });
    const totals = Object.values(summarizeManifest(manifest).perClass);
    for (const seed of [0, 1, 2]) {
      const split = subjectKFold(manifest, { k: 10, seed });
      const subjectsPerFold = split.folds.map((fold) => new Set(fold.test.map((i) => manifest.entries[i].subject)));
      const all = subjectsPerFold.flatMap((set) => [...set]);
      expect(new Set(all).size).toBe(all.length); // no subject in two folds
      expect(all).toHaveLength(118);
      for (const fold of split.folds) {
        expect(fold.test.length).toBeGreaterThanOrEqual(90);
        expect(fold.test.length).toBeLessThanOrEqual(105);
        totals.forEach((total, c) => {
          const count = fold.test.filter((i) => manifest.entries[i].label === c).length;
          expect(Math.abs(count - total / 10)).toBeLessThanOrEqual(3); // within one sequence of 3 frames
        });
      }
    }
    const random = randomKFold(manifest, { k: 10, seed: 0 });
    expect(random.folds.map((fold) => fold.test.length).sort()).toEqual([98, 98, 98, 98, 98, 98, 98, 98, 98, 99]);
  });
});

describe.skipIf(!hasData("ckplus-peak-neutral48"))("ckplus-peak-neutral48 (real data)", () => {
  it("has 890 faces of 123 subjects in the paper's 8 classes", async () => {
    const manifest = await loadFolderDataset(join(DATA_ROOT, "ckplus-peak-neutral48"), { labelNames: CK_PLUS_LABELS });
    const summary = summarizeManifest(manifest);
    expect(summary.entries).toBe(890);
    expect(summary.subjects).toBe(123);
    expect(summary.perClass).toEqual({
      neutral: 575, anger: 43, contempt: 17, disgust: 56, fear: 25, happy: 66, sadness: 28, surprise: 80,
    });
    expect(manifest.entries.filter((e) => e.label === 0).every((e) => e.frame === 1)).toBe(true);
  });
});

describe.skipIf(!hasData("fer2013"))("FER2013 (real data)", () => {
  it("has 28,709 Training and 3,589 PublicTest faces, keyed by full path", async () => {
    const manifest = await loadFer2013(join(DATA_ROOT, "fer2013"));
    expect(manifest.labelNames).toEqual([...FER2013_LABELS]);
    const split = fer2013Split(manifest);
    expect(split.folds[0].train).toHaveLength(28709);
    expect(split.folds[0].test).toHaveLength(3589);
    const training = await loadFer2013(join(DATA_ROOT, "fer2013"), { parts: ["Training"] });
    expect(summarizeManifest(training).perClass).toEqual({
      angry: 3995, disgust: 436, fear: 4097, happy: 7215, sad: 4830, surprise: 3171, neutral: 4965,
    });
    // Two Training file names occur in two classes: both entries are kept.
    const names = training.entries.map((e) => e.path.split("/").pop());
    expect(new Set(names).size).toBe(28709 - 2);
    // Only the release's side files are left out (manifest.csv, and FER+ labels where present).
    expect(manifest.skipped).toContainEqual({ path: "manifest.csv", reason: "not-an-image" });
    for (const item of manifest.skipped) expect(item, item.path).toEqual({ path: expect.not.stringContaining("/"), reason: "not-an-image" });
  });
});
