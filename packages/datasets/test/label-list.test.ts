import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CK_PLUS_LABELS,
  DatasetError,
  hashManifest,
  loadCkPlus,
  loadOuluCasia,
  OULU_CASIA_LABELS,
  readLabelList,
  splitFromBatchFolders,
  writeLabelList,
  type Manifest,
} from "../src/index.js";
import { buildCkPlus, buildOuluCasia, CK_SEQUENCES, put, tempDir, tinyPng } from "./fixtures.js";

let root: string;
let ck: Manifest;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir: root, remove } = await tempDir("lists"));
  await buildCkPlus(join(root, "CK+"), CK_SEQUENCES);
  ck = await loadCkPlus(join(root, "CK+"));
});
afterAll(() => remove());

describe("writeLabelList and readLabelList", () => {
  it("write '<path> <label>' lines and read them back to the same manifest", async () => {
    const file = join(root, "CK+", "labels.txt");
    await writeLabelList(file, ck.entries);
    const text = await readFile(file, "utf8");
    expect(text.split("\n")[0]).toBe(`${ck.entries[0].path} ${ck.entries[0].label}`);
    expect(text.endsWith("\n")).toBe(true);
    const back = await readLabelList(file, { labelNames: CK_PLUS_LABELS, source: "ckplus" });
    expect(back.entries).toEqual(ck.entries);
    expect(back.root).toBe(ck.root);
    expect(hashManifest(back)).toBe(hashManifest(ck));
    expect((await readdir(join(root, "CK+"))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("writes absolute paths on request, and reads them", async () => {
    const file = join(root, "elsewhere", "absolute.txt");
    await writeLabelList(file, ck.entries, { absolute: true });
    const back = await readLabelList(file, { labelNames: CK_PLUS_LABELS });
    expect(back.entries.map((e) => e.path)).toEqual(ck.entries.map((e) => e.file));
    expect(back.entries.map((e) => e.file)).toEqual(ck.entries.map((e) => e.file));
    expect(back.entries.map((e) => e.subject)).toEqual(ck.entries.map((e) => e.subject));
  });

  it("names labels by number when no names are given, and resolves paths against root", async () => {
    const file = join(root, "lists", "numbers.txt");
    await put(file, "cohn-kanade-images/S005/001/S005_001_00000005.png 3\r\n\r\ncohn-kanade-images/S005/001/S005_001_00000001.png 0\r\n");
    const manifest = await readLabelList(file, { root: join(root, "CK+") });
    expect(manifest.labelNames).toEqual(["0", "1", "2", "3"]);
    expect(manifest.entries.map((e) => [e.labelName, e.frame])).toEqual([["0", 1], ["3", 5]]);
  });

  it("reads subjects from Oulu-CASIA paths", async () => {
    const dir = join(root, "Oulu");
    await buildOuluCasia(dir, { release: "OriginalImg", subjects: 2, frames: () => 4, subsets: ["VL/Strong"] });
    const oulu = await loadOuluCasia(dir);
    const file = join(dir, "oulu.txt");
    await writeLabelList(file, oulu.entries);
    const back = await readLabelList(file, { labelNames: OULU_CASIA_LABELS, source: "oulu-casia" });
    expect(back.entries).toEqual(oulu.entries);
  });

  it("take their folds from the authors' batch0..batchN folders", async () => {
    const dir = join(root, "batches");
    const png = await tinyPng();
    const lines: string[] = [];
    for (let b = 0; b < 3; b++) {
      for (let s = 0; s < 2; s++) {
        const path = `batch${b}/S0${b}${s}_001_00000009.png`;
        await put(join(dir, path), png);
        lines.push(`${path} ${s + 1}`);
      }
    }
    await writeFile(join(dir, "labels.txt"), lines.join("\n"));
    const manifest = await readLabelList(join(dir, "labels.txt"), { labelNames: CK_PLUS_LABELS });
    const split = splitFromBatchFolders(manifest);
    expect(split.folds.map((fold) => fold.test.map((i) => manifest.entries[i].path.slice(0, 6)))).toEqual([
      ["batch0", "batch0"],
      ["batch1", "batch1"],
      ["batch2", "batch2"],
    ]);
    expect(split.folds[1].train).toHaveLength(4);
  });
});

describe("readLabelList errors name the file (and line) and the problem", () => {
  async function list(name: string, text: string): Promise<string> {
    const file = join(root, "CK+", name);
    await writeFile(file, text);
    return file;
  }
  const first = "cohn-kanade-images/S005/001/S005_001_00000005.png";
  const second = "cohn-kanade-images/S005/001/S005_001_00000004.png";

  it("a line that is not '<path> <int>'", async () => {
    const file = await list("bad-line.txt", `${first} 3\n${second} three\n`);
    const error = await readLabelList(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toBe(`${file}:2: expected "<image path> <int label>", found "${second} three"`);
  });

  it("a duplicate path", async () => {
    const file = await list("dup.txt", `${first} 3\n${second} 3\n${first} 3\n`);
    await expect(readLabelList(file)).rejects.toThrow(`${file}:3: duplicate path ${first} (also on line 1)`);
  });

  it("a label outside the label names", async () => {
    const file = await list("range.txt", `${first} 3\n${second} 8\n`);
    await expect(readLabelList(file, { labelNames: CK_PLUS_LABELS })).rejects.toThrow(`${file}:2: label 8 is outside 0..7`);
  });

  it("a listed image that does not exist", async () => {
    const file = await list("missing.txt", `${first} 3\ncohn-kanade-images/S005/001/S005_001_00000099.png 3\n`);
    await expect(readLabelList(file)).rejects.toThrow(
      `${join(root, "CK+", "cohn-kanade-images/S005/001/S005_001_00000099.png")}: file not found`,
    );
    expect((await readLabelList(file, { checkFiles: false })).entries).toHaveLength(2);
  });

  it("a list that cannot be read", async () => {
    const file = join(root, "no-such-list.txt");
    await expect(readLabelList(file)).rejects.toThrow(`${file}: cannot read label list (ENOENT)`);
  });

  it("a path that the format cannot hold", async () => {
    const entry = { ...ck.entries[0], path: "a\nb.png" };
    await expect(writeLabelList(join(root, "x.txt"), [entry])).rejects.toThrow(/cannot be written to a label list/);
  });
});
