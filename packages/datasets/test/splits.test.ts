import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DatasetError,
  fer2013Split,
  foldEntries,
  hashManifest,
  loadCkPlus,
  loadSplit,
  mulberry32,
  randomKFold,
  saveSplit,
  shuffle,
  splitFromJson,
  splitToJson,
  subjectKFold,
  type Manifest,
  type Split,
} from "../src/index.js";
import { buildCkPlus, CK_SEQUENCES, syntheticManifest, tempDir } from "./fixtures.js";

/** Subjects with 1..12 entries each, labels among `classes`; k fits the subject count. */
const datasets = fc
  .integer({ min: 2, max: 8 })
  .chain((classes) =>
    fc.record({
      classes: fc.constant(classes),
      subjects: fc.array(fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: 1, maxLength: 12 }), {
        minLength: 2,
        maxLength: 40,
      }),
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
      k: fc.integer({ min: 2, max: 10 }),
    }),
  )
  .filter((d) => d.k <= d.subjects.length);

/** How often each entry is in a test fold, and whether every fold's train is exactly the rest. */
function checkPartition(split: Split, n: number): void {
  const testCount = new Array<number>(n).fill(0);
  for (const fold of split.folds) {
    for (const i of fold.test) testCount[i] += 1;
    const inTest = new Set(fold.test);
    expect([...fold.train, ...fold.test].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(fold.train.some((i) => inTest.has(i))).toBe(false);
  }
  expect(testCount.every((count) => count === 1)).toBe(true);
}

describe("mulberry32", () => {
  it("repeats for a seed, differs between seeds, and stays in [0, 1)", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });

  it("shuffles into a permutation", () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = shuffle([...items], mulberry32(1));
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(() => mulberry32(1.5)).toThrow(RangeError);
  });
});

describe("subjectKFold (property tests)", () => {
  it("never puts one subject in two folds, and tests every entry exactly once", () => {
    fc.assert(
      fc.property(datasets, ({ subjects, classes, seed, k }) => {
        const manifest = syntheticManifest(subjects, classes);
        const split = subjectKFold(manifest, { k, seed });
        expect(split.folds).toHaveLength(k);
        checkPartition(split, manifest.entries.length);
        const foldOfSubject = new Map<string, number>();
        split.folds.forEach((fold, f) => {
          for (const i of fold.test) {
            const subject = manifest.entries[i].subject ?? "";
            expect(foldOfSubject.get(subject) ?? f).toBe(f);
            foldOfSubject.set(subject, f);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it("keeps fold sizes within the largest subject of each other, with no empty fold", () => {
    fc.assert(
      fc.property(datasets, ({ subjects, classes, seed, k }) => {
        const split = subjectKFold(syntheticManifest(subjects, classes), { k, seed });
        const sizes = split.folds.map((fold) => fold.test.length);
        const largest = Math.max(...subjects.map((s) => s.length));
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(largest);
        expect(Math.min(...sizes)).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it("is deterministic from its seed and ignores the order of the manifest", () => {
    fc.assert(
      fc.property(datasets, ({ subjects, classes, seed, k }) => {
        const manifest = syntheticManifest(subjects, classes);
        const reordered: Manifest = { ...manifest, entries: [...manifest.entries].reverse() };
        const testPaths = (m: Manifest, s: Split) => s.folds.map((fold) => fold.test.map((i) => m.entries[i].path).sort());
        const once = subjectKFold(manifest, { k, seed });
        expect(subjectKFold(manifest, { k, seed })).toEqual(once);
        expect(testPaths(reordered, subjectKFold(reordered, { k, seed }))).toEqual(testPaths(manifest, once));
      }),
      { numRuns: 100 },
    );
  });
});

describe("subjectKFold", () => {
  // 40 subjects, each with a few sequences of one class: like CK+.
  const subjects = Array.from({ length: 40 }, (_, s) => Array.from({ length: 3 * (1 + (s % 3)) }, (_, j) => (s + Math.floor(j / 3)) % 7));
  const manifest = syntheticManifest(subjects, 7);

  it("balances the class mix across folds better than dealing subjects out at random", () => {
    const spread = (split: Split) => {
      let worst = 0;
      for (let c = 0; c < 7; c++) {
        const counts = split.folds.map((fold) => fold.test.filter((i) => manifest.entries[i].label === c).length);
        worst = Math.max(worst, Math.max(...counts) - Math.min(...counts));
      }
      return worst;
    };
    const random = mulberry32(3);
    let randomWorst = 0;
    for (let trial = 0; trial < 20; trial++) {
      // Baseline: shuffle subjects and deal them round-robin.
      const order = shuffle([...new Set(manifest.entries.map((e) => e.subject))], random);
      const foldOf = new Map(order.map((subject, i) => [subject, i % 10]));
      const folds = Array.from({ length: 10 }, (_, f) => manifest.entries.flatMap((e, i) => (foldOf.get(e.subject) === f ? [i] : [])));
      randomWorst += spread({ protocol: "subject", seed: 0, manifestHash: "", folds: folds.map((test) => ({ test, train: [] })) });
    }
    let ours = 0;
    for (let seed = 0; seed < 20; seed++) ours += spread(subjectKFold(manifest, { k: 10, seed }));
    expect(ours).toBeLessThan(randomWorst);
  });

  it("gives different folds for different seeds", () => {
    const a = subjectKFold(manifest, { seed: 1 });
    const b = subjectKFold(manifest, { seed: 2 });
    expect(a.folds).not.toEqual(b.folds);
    expect(a.seed).toBe(1);
    expect(a.manifestHash).toBe(hashManifest(manifest));
  });

  it("names an entry without subject, and refuses more folds than subjects", () => {
    const withUnknown: Manifest = { ...manifest, entries: [...manifest.entries, { ...manifest.entries[0], path: "x.png", subject: null }] };
    expect(() => subjectKFold(withUnknown)).toThrow(new DatasetError("x.png", "has no subject, so it cannot go in a subject-independent split"));
    expect(() => subjectKFold(manifest, { k: 41 })).toThrow("cannot make 41 folds from 40 subjects");
    expect(() => subjectKFold(manifest, { k: 1 })).toThrow(RangeError);
  });
});

describe("randomKFold (property tests)", () => {
  it("is stratified: each class's count per fold, and each fold's size, differ by at most one", () => {
    fc.assert(
      fc.property(datasets, ({ subjects, classes, seed, k }) => {
        const manifest = syntheticManifest(subjects, classes);
        fc.pre(k <= manifest.entries.length);
        const split = randomKFold(manifest, { k, seed });
        checkPartition(split, manifest.entries.length);
        const sizes = split.folds.map((fold) => fold.test.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (let c = 0; c < classes; c++) {
          const counts = split.folds.map((fold) => fold.test.filter((i) => manifest.entries[i].label === c).length);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("is deterministic from its seed, and seeds differ", () => {
    const manifest = syntheticManifest([[0, 1, 2, 0, 1], [2, 2, 1, 0], [0, 0, 0, 1, 2, 1]], 3);
    expect(randomKFold(manifest, { k: 3, seed: 5 })).toEqual(randomKFold(manifest, { k: 3, seed: 5 }));
    expect(randomKFold(manifest, { k: 3, seed: 5 }).folds).not.toEqual(randomKFold(manifest, { k: 3, seed: 6 }).folds);
  });
});

describe("saving and reloading splits", () => {
  let dir: string;
  let remove: () => Promise<void>;
  let ck: Manifest;
  beforeAll(async () => {
    ({ dir, remove } = await tempDir("splits"));
    await buildCkPlus(join(dir, "CK+"), CK_SEQUENCES);
    ck = await loadCkPlus(join(dir, "CK+"));
  });
  afterAll(() => remove());

  it("round-trips through JSON, atomically, recording the manifest hash", async () => {
    const split = subjectKFold(ck, { k: 3, seed: 9 });
    const file = join(dir, "out", "ck-subject-3fold.json");
    await saveSplit(file, split, ck);
    expect(await readdir(join(dir, "out"))).toEqual(["ck-subject-3fold.json"]);
    const json = JSON.parse(await readFile(file, "utf8"));
    expect(json).toMatchObject({ format: "microexp-split", version: 1, protocol: "subject", seed: 9, source: "ckplus", entryCount: 22 });
    expect(json.manifestHash).toBe(hashManifest(ck));
    expect(json.folds[0].train).toBeUndefined();
    expect(await loadSplit(file, ck)).toEqual(split);
    expect(foldEntries(ck, split, 0).test.map((e) => e.path)).toEqual(json.folds[0].test);
  });

  it("keeps an explicit train list when train is not all the rest", async () => {
    const manifest = syntheticManifest([[0, 1], [1, 0], [0]], 2);
    const split: Split = { ...randomKFold(manifest, { k: 2 }), protocol: "predefined", seed: null };
    split.folds = [{ train: [0, 1], test: [2, 3] }];
    const json = splitToJson(split, manifest);
    expect(json.folds[0].train).toEqual([manifest.entries[0].path, manifest.entries[1].path]);
    expect(splitFromJson(JSON.parse(JSON.stringify(json)), manifest)).toEqual(split);
  });

  it("refuses a split made from another manifest, naming the file", async () => {
    const file = join(dir, "ck-random.json");
    await saveSplit(file, randomKFold(ck, { k: 2, seed: 1 }), ck);
    const other = await loadCkPlus(join(dir, "CK+"), { neutral: "none" });
    await expect(loadSplit(file, other)).rejects.toThrow(new RegExp(`^${file}: made from a different manifest`));
    // One changed label is a different manifest too.
    const relabelled: Manifest = { ...ck, entries: ck.entries.map((e, i) => (i === 0 ? { ...e, label: 7, labelName: "surprise" } : e)) };
    await expect(loadSplit(file, relabelled)).rejects.toThrow(/made from a different manifest/);
    expect(() => splitToJson(randomKFold(ck, { k: 2 }), other)).toThrow(/made from a different manifest/);
  });

  it("names a file that is not a split, or not JSON, or lists unknown paths", async () => {
    const notJson = join(dir, "broken.json");
    await writeFile(notJson, "{ folds: ");
    await expect(loadSplit(notJson, ck)).rejects.toThrow(new RegExp(`^${notJson}: not valid JSON`));
    const notSplit = join(dir, "other.json");
    await writeFile(notSplit, JSON.stringify({ hello: 1 }));
    await expect(loadSplit(notSplit, ck)).rejects.toThrow(`${notSplit}: not a split file`);
    const tampered = join(dir, "tampered.json");
    const json = splitToJson(randomKFold(ck, { k: 2 }), ck);
    json.folds[0].test[0] = "cohn-kanade-images/S999/001/S999_001_00000001.png";
    await writeFile(tampered, JSON.stringify(json));
    await expect(loadSplit(tampered, ck)).rejects.toThrow(`${tampered}: fold 0: cohn-kanade-images/S999/001/S999_001_00000001.png is not in the manifest`);
    await expect(loadSplit(join(dir, "none.json"), ck)).rejects.toThrow(/none\.json: cannot read split file \(ENOENT\)/);
  });

  it("refuses a split whose fold tests an entry twice or trains on it too", async () => {
    const json = splitToJson(randomKFold(ck, { k: 2 }), ck);
    json.folds[0].train = [json.folds[0].test[0]];
    expect(() => splitFromJson(json, ck, "mine.json")).toThrow(/^mine\.json: fold 0: .* is in both train and test/);
  });

  it("saves the FER2013-style predefined split (no seed)", async () => {
    const manifest = syntheticManifest([[0, 1, 1]], 2);
    manifest.entries = manifest.entries.map((e, i) => ({ ...e, path: `${i === 0 ? "PublicTest" : "Training"}/c${e.label}/${i}.jpg` }));
    const split = fer2013Split(manifest);
    const file = join(dir, "fer.json");
    await saveSplit(file, split, manifest);
    expect(await loadSplit(file, manifest)).toEqual(split);
    expect(split.seed).toBeNull();
  });
});

describe("hashManifest", () => {
  it("depends on paths, labels and subjects, not on entry order", () => {
    const manifest = syntheticManifest([[0, 1], [1]], 2);
    const hash = hashManifest(manifest);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashManifest({ entries: [...manifest.entries].reverse() })).toBe(hash);
    expect(hashManifest({ entries: manifest.entries.map((e, i) => (i ? e : { ...e, subject: "S999" })) })).not.toBe(hash);
    expect(hashManifest({ entries: manifest.entries.slice(1) })).not.toBe(hash);
  });
});
