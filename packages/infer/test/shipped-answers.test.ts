// The shipped weights answer as they did before networks became layer graphs: their logits on
// four fixed inputs, computed by @microexp/infer's engines at commit 00cb34e (the fixed
// MicroExpNet forward pass) and stored in fixtures/shipped-logits.json, to the bit.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createJsEngine } from "../src/forward-js.js";
import { MODEL_ZOO } from "../src/model-zoo.js";
import { createWasmEngine } from "../src/wasm/engine-wasm.js";
import { decodeWeights } from "../src/weights-format.js";

const fixture = JSON.parse(readFileSync(new URL("fixtures/shipped-logits.json", import.meta.url), "utf8")) as {
  logits: Record<string, { js: number[]; wasm: number[] }>;
};

/** A gradient, flat gray, a checkerboard and hashed noise (the inputs the fixture was made from). */
function fixtureInputs(): Float32Array {
  const images = new Float32Array(4 * 84 * 84);
  for (let p = 0; p < 84 * 84; p++) {
    const [y, x] = [Math.floor(p / 84), p % 84];
    images[p] = (x * 3 + y) % 256;
    images[84 * 84 + p] = 128;
    images[2 * 84 * 84 + p] = (Math.floor(x / 6) + Math.floor(y / 6)) % 2 ? 230 : 20;
    images[3 * 84 * 84 + p] = (p * 2654435761) >>> 24;
  }
  return images;
}

describe("the shipped weights' answers", () => {
  it.each(Object.values(MODEL_ZOO).map((entry) => entry.file))("%s: the same logits to the bit, on both engines", async (file) => {
    const { network } = decodeWeights(readFileSync(new URL(`../weights/${file}`, import.meta.url)), file);
    const images = fixtureInputs();
    expect(Array.from(createJsEngine(network).forward(images, 4))).toEqual(fixture.logits[file].js);
    expect(Array.from((await createWasmEngine(network))!.forward(images, 4))).toEqual(fixture.logits[file].wasm);
  });
});
