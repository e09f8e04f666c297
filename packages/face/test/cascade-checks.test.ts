// Cascades that cannot be run faithfully are refused when compiled or read, naming the file:
// a tree that loops (the tree walk would never end), no stages (every window a face), parts
// that do not add up.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { grayImage } from "@microexp/infer";
import { compileCascade, detectFaces, loadCascade, parseCascadeXml, type CascadeSource } from "../src/index.js";
import { loadCascadeFile } from "../src/node.js";
import { FIXTURES, loadPhoto } from "./fixtures.js";
import { CASCADE_XML_DIR } from "./opencv.js";

/** A 4x4-window Haar cascade with one two-node tree: node 0 -> node 1 or leaf 0; node 1 -> LEFT or leaf 2. */
const twoNodeTree = (left: string) => `<?xml version="1.0"?>
<opencv_storage>
<cascade type_id="opencv-cascade-classifier">
  <stageType>BOOST</stageType><featureType>HAAR</featureType><height>4</height><width>4</width>
  <stageParams><maxWeakCount>1</maxWeakCount></stageParams>
  <featureParams><maxCatCount>0</maxCatCount></featureParams>
  <stageNum>1</stageNum>
  <stages><_><maxWeakCount>1</maxWeakCount><stageThreshold>-0.5</stageThreshold>
    <weakClassifiers><_><internalNodes>1 0 0 1e9 ${left} -2 0 1e9</internalNodes><leafValues>-1. 1. 1.</leafValues></_></weakClassifiers></_></stages>
  <features><_><rects><_>0 0 4 2 -1.</_><_>0 2 4 2 2.</_></rects></_></features>
</cascade>
</opencv_storage>`;

const dir = mkdtempSync(join(tmpdir(), "cascades-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function withData(source: CascadeSource, change: Record<string, unknown>): CascadeSource {
  return { ...source, data: { ...source.data, ...change } };
}

describe("cascade checks", () => {
  it("refuses a tree that points back to itself (detectFaces would loop forever)", () => {
    const sound = parseCascadeXml(twoNodeTree("-1"), "sound.xml");
    const stripes = grayImage(8, 8, Uint8Array.from({ length: 64 }, (_, i) => (i % 3) * 90));
    expect(detectFaces(stripes, compileCascade(sound), { engine: "js", minNeighbors: 0 }).length).toBeGreaterThan(0);
    // Node 1's left child is node 1: every window whose feature is below 1e9 (all) goes round.
    const loop = parseCascadeXml(twoNodeTree("1"), "loop.xml");
    expect(() => compileCascade(loop)).toThrow("loop.xml: node 1 of tree 0 of stage 0 points back to node 1: the tree has a loop");
    // A longer loop: 0 -> 1 -> 2 -> 1 (a child 0 would be leaf 0: the root cannot be pointed back to).
    const cycle = withData(sound, { treeNodeCounts: [3], nodes: [1, 0, 0, 1e9, 2, -1, 0, 1e9, 1, -2, 0, 1e9], leaves: [-1, 1, 1, 1] });
    expect(() => compileCascade(cycle)).toThrow("sound.xml: node 2 of tree 0 of stage 0 points back to node 1: the tree has a loop");
    expect(() => compileCascade(withData(cycle, { nodes: [1, 0, 0, 1e9, 2, -1, 0, 1e9, -3, -2, 0, 1e9] }))).not.toThrow();
  });

  it("refuses a cascade with no stages, and parts that do not add up", () => {
    const sound = parseCascadeXml(twoNodeTree("-1"), "c.xml");
    expect(() => compileCascade(withData(sound, { stageThresholds: [], stageTreeCounts: [], treeNodeCounts: [], nodes: [], leaves: [] })))
      .toThrow("c.xml: the cascade has no stages");
    const empty = twoNodeTree("-1").replace(/<stages>[\s\S]*<\/stages>/, "<stages></stages>");
    expect(() => parseCascadeXml(empty, "empty.xml")).toThrow("empty.xml: has no stages (it would accept every window)");
    expect(() => compileCascade(withData(sound, { leaves: [-1, 1] }))).toThrow("c.xml: the trees need 3 leaves, there are 2");
    expect(() => compileCascade(withData(sound, { treeNodeCounts: [1] }))).toThrow("c.xml: the trees list 1 nodes, there are 2");
    expect(() => compileCascade(withData(sound, { leaves: [-1, NaN, 1] }))).toThrow("c.xml: leaf value 1 is NaN, not a finite number");
    expect(() => compileCascade(withData(sound, { nodes: [1, 0, 5, 1e9, -1, -2, 0, 1e9] }))).toThrow("c.xml: node 0 of tree 0 of stage 0 uses feature 5 of 1");
  });

  it("keeps the shipped cascades, whose trees are sound", async () => {
    for (const name of ["haarcascade_frontalface_default", "haarcascade_frontalface_alt2", "lbpcascade_frontalface_improved"] as const) {
      await expect(loadCascade(name)).resolves.toMatchObject({ name });
    }
  });

  it("loadCascadeFile reads an OpenCV XML file; every error names the file", async () => {
    const xmlPath = new URL("haarcascade_frontalface_alt2.xml", CASCADE_XML_DIR).pathname;
    const fromFile = await loadCascadeFile(xmlPath);
    const astronaut = await loadPhoto(`${FIXTURES}astronaut.png`);
    expect(detectFaces(astronaut, fromFile, "paper")).toEqual(detectFaces(astronaut, await loadCascade("haarcascade_frontalface_alt2"), "paper"));
    expect(fromFile.name).toBe(xmlPath);

    const cases: [string, string, RegExp][] = [
      ["loop.xml", twoNodeTree("1"), /loop\.xml: node 1 of tree 0 of stage 0 points back to node 1/],
      ["empty.xml", "", /empty\.xml: is empty/],
      ["cut.xml", readFileSync(xmlPath, "utf8").slice(0, 5000), /cut\.xml: is not well-formed XML/],
      ["nostages.xml", twoNodeTree("-1").replace(/<stages>[\s\S]*<\/stages>/, "<stages></stages>"), /nostages\.xml: has no stages/],
    ];
    for (const [file, xml, message] of cases) {
      writeFileSync(join(dir, file), xml);
      await expect(loadCascadeFile(join(dir, file))).rejects.toThrow(new RegExp(`^${dir}/${message.source}`));
    }
    await expect(loadCascadeFile(join(dir, "missing.xml"))).rejects.toThrow(/missing\.xml: cannot read the cascade file \(ENOENT\)/);
  });
});
