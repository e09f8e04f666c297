// FER+ votes: parsing with clear errors, distributions over FER2013's and FER+'s label sets,
// and the real ferplus.csv (skipped loudly when the research data is absent).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FER2013_LABELS, FERPLUS_LABELS, ferPlusDistribution, ferPlusMajority, loadFer2013, readFerPlusVotes } from "../src/index.js";
import { DATA_ROOT, hasData } from "./data-root.js";

const dir = mkdtempSync(join(tmpdir(), "microexp-ferplus-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HEADER = "path,split,fer_label,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,nf,match,distance";

function csv(name: string, rows: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, [HEADER, ...rows].join("\n") + "\n");
  return path;
}

describe("readFerPlusVotes", () => {
  it("reads votes by path and leaves out unmatched rows", async () => {
    const votes = await readFerPlusVotes(csv("ok.csv", [
      "Training/happy/a.jpg,Training,happy,1,6,0,0,0,0,0,2,1,0,unique,1.2",
      "Training/sad/b.jpg,Training,sad,,,,,,,,,,,none,9.5",
    ]));
    expect([...votes.keys()]).toEqual(["Training/happy/a.jpg"]);
    expect(votes.get("Training/happy/a.jpg")).toEqual({ emotions: [1, 6, 0, 0, 0, 0, 0, 2], unknown: 1, notFace: 0, match: "unique" });
  });

  it("names the file and line of a bad row", async () => {
    await expect(readFerPlusVotes(csv("bad.csv", ["x.jpg,Training,happy,1,6,0,0,0,0,0,2,1,0,maybe,1"]))).rejects.toThrow(/bad.csv: line 2: unknown match "maybe"/);
    await expect(readFerPlusVotes(csv("bad2.csv", ["x.jpg,Training,happy,1,60,0,0,0,0,0,2,1,0,unique,1"]))).rejects.toThrow(/bad2.csv: line 2: vote count "60"/);
    await expect(readFerPlusVotes(join(dir, "missing.csv"))).rejects.toThrow(/missing.csv: cannot read/);
  });
});

describe("ferPlusDistribution", () => {
  const votes = { emotions: [1, 6, 0, 0, 0, 0, 0, 2], unknown: 1, notFace: 0, match: "unique" as const };
  it("maps FER+ emotions onto FER2013's labels, dropping contempt and unknown", () => {
    const d = ferPlusDistribution(votes, FER2013_LABELS)!;
    expect(Array.from(d).map((v) => +v.toFixed(4))).toEqual([0, 0, 0, 0.8571, 0, 0, 0.1429]);
    expect(ferPlusMajority(votes, FER2013_LABELS)).toBe(3);
  });
  it("keeps all eight on FER+'s own label set, and is undefined with no vote on the labels", () => {
    expect(Array.from(ferPlusDistribution(votes, FERPLUS_LABELS)!)).toEqual([1 / 9, 6 / 9, 0, 0, 0, 0, 0, 2 / 9].map(Math.fround));
    expect(ferPlusDistribution({ ...votes, emotions: [0, 0, 0, 0, 0, 0, 0, 3] }, FER2013_LABELS)).toBeUndefined();
    expect(() => ferPlusDistribution(votes, ["joy"])).toThrow(/"joy" is not one of FER\+'s emotions/);
  });
});

describe.skipIf(!hasData("fer2013/ferplus.csv"))("FER+ votes (real data)", () => {
  it("cover the manifest's Training and PublicTest files, and agree with FER2013 on about 62 %", async () => {
    const votes = await readFerPlusVotes(join(DATA_ROOT, "fer2013", "ferplus.csv"));
    expect(votes.size).toBe(32_298 - 159);
    const manifest = await loadFer2013(join(DATA_ROOT, "fer2013"));
    let agree = 0;
    let counted = 0;
    for (const entry of manifest.entries) {
      const v = votes.get(entry.path);
      if (!v) continue;
      const majority = ferPlusMajority(v, FER2013_LABELS);
      if (majority < 0) continue;
      counted++;
      if (majority === entry.label) agree++;
    }
    expect(counted).toBeGreaterThan(30_000);
    expect(agree / counted).toBeGreaterThan(0.55);
    expect(agree / counted).toBeLessThan(0.75);
  });
});
