import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EXPRESSIONS, MODEL_ZOO, canonicalExpression, type ModelName } from "../src/index.js";
import { loadClassifierFromFile, loadModel } from "../src/node.js";

// The paper authors' CK+ network (8 labels in CK+'s spelling), shipped by @microexp/upstream-weights.
const CKPLUS_UPSTREAM = fileURLToPath(new URL("../../upstream-weights/weights/microexpnet-ckplus-upstream.mxw", import.meta.url));

describe("one expression vocabulary across the shipped weights", () => {
  it.each([...Object.keys(MODEL_ZOO), CKPLUS_UPSTREAM])("maps every label of %s to a distinct expression", async (name) => {
    const { labels } = name.endsWith(".mxw") ? await loadClassifierFromFile(name, { engine: "js" }) : await loadModel(name as ModelName, { engine: "js" });
    const expressions = labels.map(canonicalExpression);
    expect(expressions.every((e) => e !== undefined && EXPRESSIONS.includes(e)), labels.join(", ")).toBe(true);
    expect(new Set(expressions).size).toBe(labels.length);
  });

  it("knows each dataset's spelling and nothing else", () => {
    expect(["anger", "Angry", "sadness", "sad", "contempt", "neutral"].map(canonicalExpression)).toEqual(["angry", "angry", "sad", "sad", "contempt", "neutral"]);
    expect(canonicalExpression("toString")).toBeUndefined();
    expect(canonicalExpression("bored")).toBeUndefined();
  });

  it("gives the CK+ and FER2013 models' answers in the same words", async () => {
    const [fer, ck] = await Promise.all([loadModel("microexpnet-fer2013"), loadClassifierFromFile(CKPLUS_UPSTREAM)]);
    const shared = fer.labels.map(canonicalExpression).filter((e) => ck.labels.map(canonicalExpression).includes(e));
    expect(shared).toEqual(["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]);
  });
});
