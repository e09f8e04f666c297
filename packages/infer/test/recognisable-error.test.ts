// Error classes are recognised across copies of a package: an app that loads the ES module and
// the CommonJS build side by side gets two class objects, and instanceof must still hold.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import * as esm from "../dist/index.js";

const cjs = createRequire(import.meta.url)("../dist/index.cjs") as typeof esm;

describe("errors across the ES module and CommonJS builds", () => {
  it("a WeightsFormatError of either build is an instance of the other's class", () => {
    expect(cjs.WeightsFormatError).not.toBe(esm.WeightsFormatError);
    let thrown: unknown;
    try {
      cjs.decodeWeights(new Uint8Array([1, 2, 3]), "garbage.mxw");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(cjs.WeightsFormatError);
    expect(thrown).toBeInstanceOf(esm.WeightsFormatError);
    expect(new esm.GraphError("x")).toBeInstanceOf(cjs.GraphError);
  });

  it("other errors are not", () => {
    expect(new Error("x")).not.toBeInstanceOf(esm.WeightsFormatError);
    expect(new esm.GraphError("x")).not.toBeInstanceOf(cjs.WeightsFormatError);
    expect({ name: "WeightsFormatError" }).not.toBeInstanceOf(esm.WeightsFormatError);
  });
});
