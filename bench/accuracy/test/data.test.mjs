import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, dataFolder, readFerManifest, skipMessage } from "../src/data.mjs";

describe("data folders", () => {
  it("reads ../shared/data beside the repository unless MICROEXP_DATA says otherwise", () => {
    expect(dataFolder({})).toBe(resolve(REPO_ROOT, "../shared/data"));
    expect(dataFolder({ MICROEXP_DATA: "/elsewhere/data" })).toBe("/elsewhere/data");
    expect(skipMessage("FER2013 PublicTest", "/x/fer2013", "hint")).toMatch(/SKIPPED FER2013 PublicTest: \/x\/fer2013 is absent/);
  });
});

describe("readFerManifest", () => {
  const folder = mkdtempSync(join(tmpdir(), "fer-manifest-"));
  const write = (text) => writeFileSync(join(folder, "manifest.csv"), text);

  it("keeps one split's faces with paths under the folder", () => {
    write("path,label,split\nPublicTest/sad/a.jpg,sad,PublicTest\nTraining/happy/b.jpg,happy,Training\n");
    expect(readFerManifest(folder)).toEqual([{ path: join(folder, "PublicTest/sad/a.jpg"), label: "sad" }]);
  });

  it("names the file and line of a bad row", () => {
    write("path,label,split\nPublicTest/x/a.jpg,contempt,PublicTest\n");
    expect(() => readFerManifest(folder)).toThrow(/manifest\.csv:2: unknown label "contempt"/);
    write("path,label\n");
    expect(() => readFerManifest(folder)).toThrow(/header is "path,label"/);
    write("path,label,split\nTraining/happy/b.jpg,happy,Training\n");
    expect(() => readFerManifest(folder)).toThrow(/no face of split "PublicTest"/);
  });
});
