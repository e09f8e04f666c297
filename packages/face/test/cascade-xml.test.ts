import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SHIPPED_CASCADES, compileCascade, loadCascade, loadCascadeSource, parseCascadeXml, type CascadeData } from "../src/index.js";
import { CASCADE_XML_DIR } from "./opencv.js";

const xmlOf = (name: string): string => readFileSync(new URL(`${name}.xml`, CASCADE_XML_DIR), "utf8");
const f32 = (values: readonly number[]): number[] => values.map((v) => Math.fround(v));

/** Decimals compared at float32, the precision OpenCV loads them at (the generated files store that much). */
function comparable(d: CascadeData): Record<string, unknown> {
  return { ...d, stageThresholds: f32(d.stageThresholds), nodes: f32(d.nodes), leaves: f32(d.leaves), features: f32(d.features) };
}

const MINIMAL = `<?xml version="1.0"?>
<!-- test cascade -->
<opencv_storage>
<cascade type_id="opencv-cascade-classifier">
  <stageType>BOOST</stageType><featureType>HAAR</featureType><height>4</height><width>4</width>
  <stageParams><maxWeakCount>1</maxWeakCount></stageParams>
  <featureParams><maxCatCount>0</maxCatCount></featureParams>
  <stageNum>1</stageNum>
  <stages><_><maxWeakCount>1</maxWeakCount><stageThreshold>-0.5</stageThreshold>
    <weakClassifiers><_><internalNodes>0 -1 0 0.25</internalNodes><leafValues>-1. 1.</leafValues></_></weakClassifiers></_></stages>
  <features><_><rects><_>0 0 4 2 -1.</_><_>0 2 4 2 2.</_></rects></_></features>
</cascade>
</opencv_storage>`;

describe("parseCascadeXml", () => {
  it.each(SHIPPED_CASCADES)("reads %s into the numbers the shipped module holds", async (name) => {
    const parsed = parseCascadeXml(xmlOf(name), name);
    const shipped = await loadCascadeSource(name);
    expect(parsed.name).toBe(name);
    expect(shipped.license).toBe(parsed.license);
    expect(comparable(shipped.data)).toEqual(comparable(parsed.data));
  });

  it("reads the structure of each cascade", () => {
    const haar = parseCascadeXml(xmlOf("haarcascade_frontalface_default")).data;
    expect([haar.featureType, haar.windowWidth, haar.windowHeight, haar.maxCatCount]).toEqual(["HAAR", 24, 24, 0]);
    expect(haar.stageTreeCounts).toHaveLength(25);
    expect(haar.stageTreeCounts[0]).toBe(9);
    expect(haar.treeNodeCounts.every((n) => n === 1)).toBe(true);
    expect(haar.features.length / 16).toBe(2913);
    const trees = parseCascadeXml(xmlOf("haarcascade_frontalface_alt2")).data;
    expect([trees.windowWidth, trees.stageTreeCounts.length, Math.max(...trees.treeNodeCounts)]).toEqual([20, 20, 2]);
    const lbp = parseCascadeXml(xmlOf("lbpcascade_frontalface_improved")).data;
    expect([lbp.featureType, lbp.maxCatCount, lbp.nodes.length / lbp.treeNodeCounts.length]).toEqual(["LBP", 256, 11]);
  });

  it("keeps the license header of each file", async () => {
    expect((await loadCascade("haarcascade_frontalface_default")).license).toMatch(/Intel License Agreement/);
    expect((await loadCascade("lbpcascade_frontalface_improved")).license).toMatch(/Puttemans Steven/);
    expect(parseCascadeXml(MINIMAL).license).toBe("test cascade");
  });

  it("reads a minimal hand-written cascade", () => {
    const { data } = parseCascadeXml(MINIMAL, "minimal.xml");
    expect(data).toEqual({
      featureType: "HAAR", windowWidth: 4, windowHeight: 4, maxCatCount: 0,
      stageThresholds: [-0.5], stageTreeCounts: [1], treeNodeCounts: [1],
      nodes: [0, -1, 0, 0.25], leaves: [-1, 1],
      features: [0, 0, 0, 4, 2, -1, 0, 2, 4, 2, 2, 0, 0, 0, 0, 0],
    });
  });

  it.each([
    ["", /minimal\.xml: is empty/],
    ["hello", /minimal\.xml: (is not well-formed XML|has no <opencv_storage> root)/],
    [MINIMAL.slice(0, MINIMAL.length / 2), /minimal\.xml: is not well-formed XML/],
    ["<opencv_storage><haarcascade_frontalface type_id=\"opencv-haar-classifier\"><size>24 24</size></haarcascade_frontalface></opencv_storage>", /old-style haarcascade XML is not supported/],
    [MINIMAL.replace("<stages>", "<stagez>").replace("</stages>", "</stagez>"), /missing <stages>/],
    [MINIMAL.replace("0 -1 0 0.25", "0 -1 3 0.25"), /uses feature 3 of 1/],
    [MINIMAL.replace("-1. 1.</leafValues>", "-1. 1. 2.</leafValues>"), /has 3 leaves for 1 nodes/],
    [MINIMAL.replace("0 -1 0 0.25", "0 -1 0 abc"), /holds "abc", not a number/],
    [MINIMAL.replace("<featureType>HAAR", "<featureType>HOG"), /feature type HOG is not supported/],
  ])("rejects bad input %#, naming the source", (xml, message) => {
    expect(() => parseCascadeXml(xml, "minimal.xml")).toThrow(message);
  });
});

describe("compileCascade", () => {
  it("rejects tilted features and rectangles outside the window", () => {
    const tilted = parseCascadeXml(MINIMAL.replace("</rects></_></features>", "</rects><tilted>1</tilted></_></features>"), "t.xml");
    expect(() => compileCascade(tilted)).toThrow(/t\.xml: feature 0 is tilted/);
    const outside = parseCascadeXml(MINIMAL.replace("0 2 4 2 2.", "0 3 4 2 2."), "o.xml");
    expect(() => compileCascade(outside)).toThrow(/o\.xml: rectangle 1 of feature 0 \(0 3 4 2\) is not inside the 4x4 window/);
  });

  it("applies OpenCV's float32 rounding and stage-threshold epsilon", () => {
    const c = compileCascade(parseCascadeXml(MINIMAL));
    expect(c.stageThreshold[0]).toBe(Math.fround(Math.fround(-0.5) - Math.fround(1e-5)));
    expect(c.stumps).toBe(true);
    expect(Array.from(c.nodeRects.slice(0, 8))).toEqual([0, 0, 4, 2, 0, 2, 4, 2]);
  });

  it("loadCascade names the shipped cascades when asked for another", async () => {
    // @ts-expect-error: not a shipped name
    await expect(loadCascade("haarcascade_eye")).rejects.toThrow(/unknown cascade "haarcascade_eye"; shipped cascades: haarcascade_frontalface_default/);
  });
});
