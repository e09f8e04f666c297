// Reads OpenCV's cascade XML (the "opencv-cascade-classifier" format written by
// opencv_traincascade). This module imports only ./types.ts and fast-xml-parser, so the
// build script (scripts/convert-cascades.mjs) can transpile the two files and run them.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { HAAR_FEATURE_STRIDE as HAAR_STRIDE, LBP_FEATURE_STRIDE as LBP_STRIDE } from "./types.js";
import type { CascadeData, CascadeSource, FeatureType } from "./types.js";

type Node = Record<string, unknown>;

function fail(source: string, problem: string): never {
  throw new Error(`${source}: ${problem}`);
}

function child(node: Node, key: string, source: string, where: string): unknown {
  const value = node[key];
  if (value === undefined) fail(source, `missing <${key}> in ${where}`);
  return value;
}

function childNode(node: Node, key: string, source: string, where: string): Node {
  const value = child(node, key, source, where);
  if (typeof value !== "object" || value === null) fail(source, `<${key}> in ${where} is not an element`);
  return value as Node;
}

/** The `<_>` items of a sequence element (an empty sequence has none). */
function items(node: Node, key: string, source: string, where: string): unknown[] {
  const value = child(node, key, source, where);
  if (value === "") return [];
  const list = (value as Node)._;
  if (!Array.isArray(list)) fail(source, `<${key}> in ${where} has no <_> items`);
  return list;
}

function numbers(value: unknown, source: string, where: string): number[] {
  if (typeof value !== "string") fail(source, `${where} is not a list of numbers`);
  const text = value.trim();
  if (text === "") return [];
  return text.split(/\s+/).map((word) => {
    const n = Number(word);
    if (!Number.isFinite(n)) fail(source, `${where} holds "${word}", not a number`);
    return n;
  });
}

function integer(node: Node, key: string, source: string, where: string): number {
  const [n, extra] = numbers(child(node, key, source, where), source, `<${key}> in ${where}`);
  if (!Number.isInteger(n) || extra !== undefined) fail(source, `<${key}> in ${where} is not one integer`);
  return n;
}

/** The first comment before the root element: the license and credits of the cascade. */
function headerComment(xml: string): string {
  const root = xml.indexOf("<opencv_storage");
  const match = /<!--([\s\S]*?)-->/.exec(root >= 0 ? xml.slice(0, root) : "");
  return match ? match[1].replace(/\r\n?/g, "\n").trim() : "";
}

function readFeatures(cascade: Node, type: FeatureType, source: string): number[] {
  const out: number[] = [];
  items(cascade, "features", source, "<cascade>").forEach((item, i) => {
    const where = `feature ${i}`;
    const feature = item as Node;
    if (type === "LBP") {
      const rect = numbers(child(feature, "rect", source, where), source, `<rect> of ${where}`);
      if (rect.length !== 4) fail(source, `<rect> of ${where} needs 4 numbers, has ${rect.length}`);
      out.push(...rect);
      return;
    }
    const tilted = feature.tilted === undefined ? 0 : integer(feature, "tilted", source, where);
    const rects = items(feature, "rects", source, where);
    if (rects.length < 1 || rects.length > 3) fail(source, `${where} has ${rects.length} rectangles, not 1 to 3`);
    const values = [tilted === 0 ? 0 : 1];
    rects.forEach((rect, r) => {
      const v = numbers(rect, source, `rectangle ${r} of ${where}`);
      if (v.length !== 5) fail(source, `rectangle ${r} of ${where} needs x y width height weight, has ${v.length} numbers`);
      values.push(...v);
    });
    while (values.length < HAAR_STRIDE) values.push(0);
    out.push(...values);
  });
  return out;
}

/**
 * Parses the text of an OpenCV cascade XML file (e.g. haarcascade_frontalface_default.xml
 * or lbpcascade_frontalface_improved.xml). `name` labels error messages and the result.
 * Throws an Error naming `name` and the problem on anything it cannot read.
 */
export function parseCascadeXml(xml: string, name = "cascade XML"): CascadeSource {
  if (xml.trim() === "") fail(name, "is empty");
  const valid = XMLValidator.validate(xml);
  if (valid !== true) fail(name, `is not well-formed XML (${valid.err.msg}, line ${valid.err.line})`);
  let doc: Node;
  try {
    doc = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (tag) => tag === "_" }).parse(xml) as Node;
  } catch (error) {
    fail(name, `cannot be read (${(error as Error).message})`);
  }
  const storage = doc.opencv_storage;
  if (typeof storage !== "object" || storage === null) fail(name, "has no <opencv_storage> root");
  const [rootKey] = Object.keys(storage as Node);
  const cascade = (storage as Node)[rootKey] as Node;
  if (!rootKey || typeof cascade !== "object" || cascade.stageType === undefined) {
    fail(name, "is not in the opencv-cascade-classifier format (old-style haarcascade XML is not supported)");
  }
  const where = `<${rootKey}>`;
  const stageType = child(cascade, "stageType", name, where);
  if (stageType !== "BOOST") fail(name, `stage type ${String(stageType)} is not supported (only BOOST)`);
  const featureType = child(cascade, "featureType", name, where);
  if (featureType !== "HAAR" && featureType !== "LBP") fail(name, `feature type ${String(featureType)} is not supported (HAAR or LBP)`);
  const windowWidth = integer(cascade, "width", name, where);
  const windowHeight = integer(cascade, "height", name, where);
  if (windowWidth < 3 || windowHeight < 3) fail(name, `window ${windowWidth}x${windowHeight} is too small`);
  const featureParams = childNode(cascade, "featureParams", name, where);
  const maxCatCount = featureParams.maxCatCount === undefined ? 0 : integer(featureParams, "maxCatCount", name, "<featureParams>");
  if ((featureType === "LBP") !== maxCatCount > 0) fail(name, `maxCatCount ${maxCatCount} does not fit ${featureType} features`);
  const nodeStep = 3 + (maxCatCount > 0 ? Math.ceil(maxCatCount / 32) : 1);

  const features = readFeatures(cascade, featureType, name);
  const featureCount = features.length / (featureType === "HAAR" ? HAAR_STRIDE : LBP_STRIDE);
  const stageThresholds: number[] = [], stageTreeCounts: number[] = [], treeNodeCounts: number[] = [];
  const nodes: number[] = [], leaves: number[] = [];
  items(cascade, "stages", name, where).forEach((item, s) => {
    const stage = item as Node;
    const [threshold] = numbers(child(stage, "stageThreshold", name, `stage ${s}`), name, `threshold of stage ${s}`);
    if (threshold === undefined) fail(name, `stage ${s} has an empty threshold`);
    const trees = items(stage, "weakClassifiers", name, `stage ${s}`);
    if (trees.length === 0) fail(name, `stage ${s} has no trees`);
    stageThresholds.push(threshold);
    stageTreeCounts.push(trees.length);
    trees.forEach((tree, t) => {
      const at = `tree ${t} of stage ${s}`;
      const internal = numbers(child(tree as Node, "internalNodes", name, at), name, `internal nodes of ${at}`);
      const leafValues = numbers(child(tree as Node, "leafValues", name, at), name, `leaves of ${at}`);
      const nodeCount = internal.length / nodeStep;
      if (!Number.isInteger(nodeCount) || nodeCount === 0) fail(name, `${at} has ${internal.length} node numbers, not a multiple of ${nodeStep}`);
      if (leafValues.length !== nodeCount + 1) fail(name, `${at} has ${leafValues.length} leaves for ${nodeCount} nodes`);
      for (let n = 0; n < nodeCount; n++) {
        const [left, right, feature] = internal.slice(n * nodeStep, n * nodeStep + 3);
        for (const next of [left, right]) {
          if (!Number.isInteger(next) || next >= nodeCount || -next > nodeCount) fail(name, `${at} points to node ${next}`);
        }
        if (!Number.isInteger(feature) || feature < 0 || feature >= featureCount) fail(name, `${at} uses feature ${feature} of ${featureCount}`);
      }
      treeNodeCounts.push(nodeCount);
      nodes.push(...internal);
      leaves.push(...leafValues);
    });
  });
  if (stageThresholds.length === 0) fail(name, "has no stages (it would accept every window)");
  const data: CascadeData = {
    featureType, windowWidth, windowHeight, maxCatCount,
    stageThresholds, stageTreeCounts, treeNodeCounts, nodes, leaves, features,
  };
  return { name, license: headerComment(xml), data };
}
