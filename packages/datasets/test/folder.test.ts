import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CK_PLUS_EMOTIONS,
  CK_PLUS_LABELS,
  DatasetError,
  canonicalClassName,
  fer2013Split,
  FER2013_LABELS,
  loadFer2013,
  loadFolderDataset,
  summarizeManifest,
} from "../src/index.js";
import { ckFrameName, put, tempDirs, tinyJpeg, tinyPng } from "./fixtures.js";

const temp = tempDirs();
afterAll(temp.removeAll);
const newDir = temp.make;

/** A ckplus-peak-neutral48-like tree: folder names as in that release (happiness, not happy). */
async function classTree(): Promise<string> {
  const root = await newDir("folder");
  const png = await tinyPng();
  const files: [string, string][] = [
    ["anger", ckFrameName("S010", "004", 19)],
    ["anger", ckFrameName("S011", "004", 22)],
    ["happiness", ckFrameName("S010", "006", 15)],
    ["neutral", ckFrameName("S010", "001", 1)],
    ["neutral", ckFrameName("S011", "004", 1)],
    ["sadness", "face-without-subject.png"],
  ];
  for (const [folder, name] of files) await put(join(root, folder, name), png);
  await put(join(root, "README.txt"), "about");
  await put(join(root, ".DS_Store"), "junk");
  await put(join(root, "anger", "._S010_004_00000019.png"), "junk");
  await put(join(root, "anger", "notes.txt"), "n");
  return root;
}

describe("canonicalClassName", () => {
  it("folds case and the usual aliases", () => {
    expect(["Happiness", "happy", "HAPPY"].map(canonicalClassName)).toEqual(["happy", "happy", "happy"]);
    expect(["sad", "Sadness"].map(canonicalClassName)).toEqual(["sadness", "sadness"]);
    expect(["angry", "Anger"].map(canonicalClassName)).toEqual(["anger", "anger"]);
    expect(canonicalClassName("contempt")).toBe("contempt");
  });
});

describe("loadFolderDataset", () => {
  let root: string;
  beforeAll(async () => {
    root = await classTree();
  });

  it("defaults to the sorted folder names as labels", async () => {
    const manifest = await loadFolderDataset(root);
    expect(manifest.labelNames).toEqual(["anger", "happiness", "neutral", "sadness"]);
    expect(manifest.entries).toHaveLength(6);
    expect(manifest.source).toBe(root.split("/").pop());
  });

  it("maps folders to given label names through aliases, in the given order", async () => {
    const manifest = await loadFolderDataset(root, { labelNames: CK_PLUS_LABELS, source: "ckplus-peak-neutral48" });
    expect(manifest.labelNames).toEqual([...CK_PLUS_LABELS]);
    expect(summarizeManifest(manifest).perClass).toMatchObject({ neutral: 2, anger: 2, happy: 1, sadness: 1 });
    const happy = manifest.entries.find((e) => e.labelName === "happy");
    expect(happy).toEqual({
      path: "happiness/S010_006_00000015.png",
      file: join(root, "happiness/S010_006_00000015.png"),
      label: 5,
      labelName: "happy",
      subject: "S010",
      sequence: "S010_006",
      frame: 15,
      source: "ckplus-peak-neutral48",
    });
  });

  it("leaves subject, sequence and frame null when the name is not CK+-style", async () => {
    const manifest = await loadFolderDataset(root);
    const other = manifest.entries.find((e) => e.path === "sadness/face-without-subject.png");
    expect(other).toMatchObject({ subject: null, sequence: null, frame: null, labelName: "sadness" });
  });

  it("reports skipped files and ignored folders", async () => {
    const manifest = await loadFolderDataset(root, { labelNames: CK_PLUS_EMOTIONS, ignoreFolders: ["neutral"] });
    expect(manifest.entries).toHaveLength(4);
    expect(manifest.skipped).toEqual([
      { path: ".DS_Store", reason: "system-file" },
      { path: "README.txt", reason: "not-an-image" },
      { path: "anger/._S010_004_00000019.png", reason: "system-file" },
      { path: "anger/notes.txt", reason: "not-an-image" },
      { path: "neutral", reason: "ignored-folder" },
    ]);
  });

  it("names an unknown class folder", async () => {
    const error = await loadFolderDataset(root, { labelNames: CK_PLUS_EMOTIONS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toBe(
      `${join(root, "neutral")}: unknown class folder; expected one of ${CK_PLUS_EMOTIONS.join(", ")}`,
    );
  });

  it("names two folders that are one class", async () => {
    const dir = await newDir("alias");
    await put(join(dir, "happy", "a.png"), await tinyPng());
    await put(join(dir, "happiness", "b.png"), await tinyPng());
    await expect(loadFolderDataset(dir, { labelNames: CK_PLUS_EMOTIONS })).rejects.toThrow(
      `${join(dir, "happy")}: same class (happy) as folder happiness`,
    );
  });

  it("names a missing root", async () => {
    await expect(loadFolderDataset(join(root, "nope"))).rejects.toThrow(`${join(root, "nope")}: folder not found`);
  });
});

describe("loadFer2013 on a fixture of its image-folder layout", () => {
  let root: string;
  beforeAll(async () => {
    root = await newDir("fer");
    const jpeg = await tinyJpeg();
    const writes: Promise<void>[] = [];
    FER2013_LABELS.forEach((name, label) => {
      for (let i = 0; i < label + 2; i++) writes.push(put(join(root, "Training", name, `Training_${label}${i}.jpg`), jpeg));
      writes.push(put(join(root, "PublicTest", name, `PublicTest_${label}.jpg`), jpeg));
    });
    // The real release has two Training file names in two classes: key by full path.
    writes.push(put(join(root, "Training", "neutral", "Training_30.jpg"), jpeg));
    writes.push(put(join(root, "manifest.csv"), "path,label,split\n"));
    await Promise.all(writes);
  });

  it("loads both parts with the challenge's label order, keeping same-name files of two classes", async () => {
    const manifest = await loadFer2013(root);
    expect(manifest.labelNames).toEqual(["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]);
    expect(manifest.entries).toHaveLength(2 + 3 + 4 + 5 + 6 + 7 + 8 + 1 + 7);
    const same = manifest.entries.filter((e) => e.path.endsWith("/Training_30.jpg"));
    expect(same.map((e) => [e.path, e.labelName])).toEqual([
      ["Training/happy/Training_30.jpg", "happy"],
      ["Training/neutral/Training_30.jpg", "neutral"],
    ]);
    expect(manifest.entries.every((e) => e.subject === null && e.source === "fer2013")).toBe(true);
    expect(manifest.skipped).toEqual([{ path: "manifest.csv", reason: "not-an-image" }]);
  });

  it("loads one part", async () => {
    const manifest = await loadFer2013(root, { parts: ["PublicTest"] });
    expect(manifest.entries).toHaveLength(7);
    expect(manifest.skipped).toContainEqual({ path: "Training", reason: "ignored-folder" });
  });

  it("gives the official split: train on Training, test on PublicTest", async () => {
    const manifest = await loadFer2013(root);
    const split = fer2013Split(manifest);
    expect(split.protocol).toBe("predefined");
    expect(split.folds).toHaveLength(1);
    expect(split.folds[0].train.map((i) => manifest.entries[i].path.split("/")[0])).toEqual(new Array(36).fill("Training"));
    expect(split.folds[0].test.map((i) => manifest.entries[i].path.split("/")[0])).toEqual(new Array(7).fill("PublicTest"));
    await expect(loadFer2013(root, { parts: ["Training"] }).then(fer2013Split)).rejects.toThrow(/needs both Training and PublicTest/);
  });

  it("names a missing part and an unknown class folder", async () => {
    await expect(loadFer2013(root, { parts: ["PrivateTest"] })).rejects.toThrow(`${root}: no "PrivateTest" folder`);
    await put(join(root, "PublicTest", "contempt", "PublicTest_99.jpg"), await tinyJpeg());
    await expect(loadFer2013(root)).rejects.toThrow(`${join(root, "PublicTest", "contempt")}: unknown class folder`);
  });
});
