// Runs every ```ts example of README.md, as written, on generated fixture trees.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FER2013_LABELS, loadCkPlus, loadSplit } from "../src/index.js";
import { readmeBlocks, runLoggingModule } from "../../../test-support/readme.js";
import { buildCkPlus, buildOuluCasia, put, tempDir, tinyJpeg, tinyPng, type CkSequenceSpec } from "./fixtures.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const sourceEntry = join(packageDir, "src", "index.ts");

let dir: string;
let remove: () => Promise<void>;
let blocks: string[];
const EXAMPLE_ENV = ["CKPLUS_ROOT", "OULU_ROOT", "CK_FOLDERS_ROOT", "FER2013_ROOT", "SPLITS_DIR"];

beforeAll(async () => {
  ({ dir, remove } = await tempDir("readme"));
  blocks = readmeBlocks(join(packageDir, "README.md"), "ts");

  // CK+: 12 subjects, each with a labelled 5-frame sequence and an unlabelled 4-frame one.
  const sequences: CkSequenceSpec[] = [];
  for (let s = 0; s < 12; s++) {
    const subject = `S${String(100 + s)}`;
    sequences.push({ subject, sequence: "001", frames: 5, emotion: 1 + (s % 7) }, { subject, sequence: "002", frames: 4 });
  }
  await buildCkPlus(join(dir, "CK+"), sequences);
  await buildOuluCasia(join(dir, "Oulu"), { release: "OriginalImg", subjects: 10, frames: () => 4, subsets: ["VL/Strong"] });
  const png = await tinyPng();
  for (const folder of ["neutral", "anger", "happiness"]) await put(join(dir, "ck-folders", folder, "S005_001_00000001.png"), png);
  const jpeg = await tinyJpeg();
  for (const name of FER2013_LABELS) {
    await put(join(dir, "fer2013", "Training", name, "Training_1.jpg"), jpeg);
    await put(join(dir, "fer2013", "PublicTest", name, "PublicTest_1.jpg"), jpeg);
  }
  Object.assign(process.env, {
    CKPLUS_ROOT: join(dir, "CK+"),
    OULU_ROOT: join(dir, "Oulu"),
    CK_FOLDERS_ROOT: join(dir, "ck-folders"),
    FER2013_ROOT: join(dir, "fer2013"),
    SPLITS_DIR: join(dir, "splits"),
  });
});

afterAll(async () => {
  for (const name of EXAMPLE_ENV) delete process.env[name];
  vi.restoreAllMocks();
  await remove();
});

/** Runs README block `index` against this package's source; returns what it logged. */
function run(index: number): Promise<string[]> {
  const code = blocks[index].replaceAll('"@microexp/datasets"', JSON.stringify(sourceEntry));
  return runLoggingModule(join(dir, `readme-example-${index}.ts`), code);
}

describe("README examples", () => {
  it("has three ts examples, the first loading CK+ and making 10 subject-independent folds", () => {
    expect(blocks).toHaveLength(3);
    expect(blocks[0]).toContain("loadCkPlus(");
    expect(blocks[0]).toContain("subjectKFold(ck, { k: 10");
  });

  it("example 1: loads CK+, prints the summary and 10 folds, saves the split", async () => {
    const lines = await run(0);
    expect(lines[0]).toMatch(/^ckplus: 60 images, 12 subjects, 24 sequences/);
    const folds = lines.slice(1).map((line) => /^fold (\d): train (\d+), test (\d+)$/.exec(line));
    expect(folds).toHaveLength(10);
    for (const match of folds) expect(Number(match?.[2]) + Number(match?.[3])).toBe(60);
    const ck = await loadCkPlus(join(dir, "CK+"));
    const split = await loadSplit(join(dir, "splits", "ckplus-subject-10fold.json"), ck);
    expect(split.protocol).toBe("subject");
    expect(split.folds).toHaveLength(10);
  });

  it("example 2: Oulu-CASIA, a class-folder dataset and FER2013", async () => {
    expect(await run(1)).toEqual([`${10 * 6 * 3} 10 happy 7`]);
  });

  it("example 3: label lists and reloading the saved split", async () => {
    expect(await run(2)).toEqual(["true 10"]);
  });
});
