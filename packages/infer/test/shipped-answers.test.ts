// The shipped weights answer as they did before networks became layer graphs: their logits on
// four fixed inputs, computed by @microexp/infer's engines at commit 00cb34e (the fixed
// MicroExpNet forward pass) and stored in fixtures/shipped-logits.json, to the bit.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixtureInputs } from "../../../test-support/shipped-logits.js";
import { createJsEngine } from "../src/forward-js.js";
import { MODEL_ZOO } from "../src/model-zoo.js";
import { createWasmEngine } from "../src/wasm/engine-wasm.js";
import { decodeWeights } from "../src/weights-format.js";

const fixture = JSON.parse(readFileSync(new URL("fixtures/shipped-logits.json", import.meta.url), "utf8")) as {
  logits: Record<string, { js: number[]; wasm: number[] }>;
};

describe("the shipped weights' answers", () => {
  it.each(Object.values(MODEL_ZOO).map((entry) => entry.file))("%s: the same logits to the bit, on both engines", async (file) => {
    const { network } = decodeWeights(readFileSync(new URL(`../weights/${file}`, import.meta.url)), file);
    const images = fixtureInputs();
    expect(Array.from(createJsEngine(network).forward(images, 4))).toEqual(fixture.logits[file].js);
    expect(Array.from((await createWasmEngine(network))!.forward(images, 4))).toEqual(fixture.logits[file].wasm);
  });
});
