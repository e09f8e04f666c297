// A dataset that cannot teach a classifier is an error, not a 100 % score: CK+ without emotion
// labels, one class only, a class without images; and a folder dataset makes no class of an
// empty folder or of a symbolic link back into itself.
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkClasses, DatasetError, loadCkPlus, loadFolderDataset, type Manifest } from "../src/index.js";
import { buildCkPlus, CK_SEQUENCES, put, tempDirs, tinyPng } from "./fixtures.js";

const temp = tempDirs();
afterAll(temp.removeAll);
const newDir = temp.make;

describe("CK+ without its labels", () => {
  it("an empty Emotion folder is an error naming it (it used to give a one-class, all-neutral dataset)", async () => {
    const root = await newDir("ck-empty");
    await buildCkPlus(root, CK_SEQUENCES.map(({ emotion: _e, emotionText: _t, ...unlabelled }) => unlabelled));
    await expect(loadCkPlus(root)).rejects.toThrow(`${join(root, "Emotion")}: holds no emotion label`);
  });

  it("so are misnamed subject folders inside it", async () => {
    const root = await newDir("ck-misnamed");
    await buildCkPlus(root, CK_SEQUENCES.filter((s) => s.emotion === undefined));
    for (const s of CK_SEQUENCES.filter((s) => s.emotion !== undefined)) {
      await put(join(root, "cohn-kanade-images", s.subject, s.sequence, `${s.subject}_${s.sequence}_${String(s.frames).padStart(8, "0")}.png`), await tinyPng());
      await put(join(root, "Emotion", s.subject.toLowerCase(), s.sequence, `${s.subject}_${s.sequence}_${String(s.frames).padStart(8, "0")}_emotion.txt`), "1\n");
    }
    await expect(loadCkPlus(root)).rejects.toThrow(/holds no emotion label .*misnamed/);
  });
});

describe("a folder dataset", () => {
  it("makes no class of an empty folder or of a link back into itself", async () => {
    const root = await newDir("folder-classes");
    const png = await tinyPng();
    await put(join(root, "happy", "a.png"), png);
    await put(join(root, "sad", "b.png"), png);
    await mkdir(join(root, "surprise"));
    await put(join(root, "notes", "readme.txt"), "not a face");
    await symlink(root, join(root, "loop"));
    await symlink(join(root, "happy"), join(root, "happy-again"));
    const manifest = await loadFolderDataset(root);
    expect(manifest.labelNames).toEqual(["happy", "sad"]);
    expect(manifest.entries.map((e) => e.path)).toEqual(["happy/a.png", "sad/b.png"]);
    expect(manifest.skipped).toEqual(expect.arrayContaining([
      { path: "surprise", reason: "empty-folder" },
      { path: "notes", reason: "empty-folder" },
      { path: "loop", reason: "link-into-dataset", detail: expect.stringContaining("leads to") },
      { path: "happy-again", reason: "link-into-dataset", detail: expect.stringContaining("leads to") },
    ]));
  });
});

describe("checkClasses", () => {
  const manifest = (labelNames: string[], labels: number[]): Manifest => ({
    source: "test", root: "/data/faces", labelNames, skipped: [],
    entries: labels.map((label, i) => ({ path: `${i}.png`, file: `/data/faces/${i}.png`, label, labelName: labelNames[label], subject: null, sequence: null, frame: null, source: "test" })),
  });

  it("refuses fewer than two classes with images", () => {
    expect(() => checkClasses(manifest(["neutral"], [0, 0]))).toThrow("/data/faces: only class neutral has images; a classifier needs at least two classes");
    expect(() => checkClasses(manifest(["a", "b"], [1, 1]), { allowEmptyClasses: true })).toThrow(DatasetError);
  });

  it("refuses a class without images, or warns about it when the label set was chosen", () => {
    const m = manifest(["a", "b", "c"], [0, 1]);
    expect(() => checkClasses(m)).toThrow("/data/faces: no images of class c (of a, b, c); every class needs images");
    expect(checkClasses(m, { allowEmptyClasses: true })).toEqual([expect.stringContaining("/data/faces: no images of class c")]);
    expect(checkClasses(manifest(["a", "b"], [0, 1]))).toEqual([]);
  });
});
