// createRunner: which engine runs a trained model for evaluation and teacher caches, and that it
// gives tfjs's logits (the runtime's engine is faster for dsnet, never different beyond rounding).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { registeredNetwork } from "@microexp/models";
import { selectBackend } from "../src/backend/index.js";
import { createRunner, predictCrops, predictModelCrops } from "../src/evaluate.js";
import { CROP_PIXELS } from "../src/crop-set.js";
import { maxDifference, tinyCropSet } from "./helpers.js";

const CLASSES = 7;

/** tfjs's predict on the same inputs: the reference every runner is held to. */
function predicted(model: tfl.LayersModel, input: Float32Array, n: number): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor4d(input.subarray(0, n * CROP_PIXELS), [n, 84, 84, 1])) as tf.Tensor).dataSync() as Float32Array);
}

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("createRunner", () => {
  const set = tinyCropSet(3, CLASSES);
  const models: Array<{ dispose(): void }> = [];
  afterAll(() => models.forEach((m) => m.dispose()));

  for (const [architecture, via] of [["dsnet", "@microexp/infer wasm"], ["p12-XXS", "tfjs fused ops"]] as const) {
    it(`runs ${architecture} through ${via}, with tfjs predict's logits`, async () => {
      const model = registeredNetwork(architecture).build({ numClasses: CLASSES, seed: 3, dropout: 0 });
      models.push(model);
      const runner = await createRunner(model, architecture, CLASSES);
      expect(runner.via).toBe(via);
      const n = set.count * 8;
      const input = Float32Array.from(set.pixels.subarray(0, n * CROP_PIXELS));
      const { diff, scale } = maxDifference(runner.logits(input, n), predicted(model, input, n));
      runner.dispose();
      expect(scale).toBeGreaterThan(1e-3); // the logits are not all zero: the comparison can fail
      expect(diff).toBeLessThan(1e-4 * Math.max(1, scale));
    });
  }

  it("predictModelCrops gives predictCrops' logits, and the mirrored crops' on request", async () => {
    const model = registeredNetwork("dsnet").build({ numClasses: CLASSES, seed: 4, dropout: 0 });
    models.push(model);
    const runner = await createRunner(model, "dsnet", CLASSES);
    const plain = predictCrops(runner, set);
    const mirrored = predictCrops(runner, set, 256, true);
    runner.dispose();
    const both = await predictModelCrops(model, "dsnet", set, true);
    expect(both.logits).toEqual(plain);
    expect(both.mirrored).toEqual(mirrored);
    expect(maxDifference(mirrored, plain).diff).toBeGreaterThan(1e-4);
    expect((await predictModelCrops(model, "dsnet", set)).mirrored).toBeUndefined();
  });
});
