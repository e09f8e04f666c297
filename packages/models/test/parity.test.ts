// The runtime (@microexp/infer) and the TensorFlow.js definitions compute the same logits
// for every member of the family, on tfjs's cpu and wasm backends.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allArchitectureIds, createJsEngine, describeArchitecture } from "@microexp/infer";
import { buildFamilyModel, createTfForward, loadNetworkIntoModel, networkFromModel } from "../src/index.js";

function randomImages(batch: number, seed: number): Float32Array {
  const out = new Float32Array(batch * 84 * 84);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24; // 0..255, like raw pixels
  }
  return out;
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  expect(worst).toBeLessThanOrEqual(1e-4);
}

for (const backend of ["cpu", "wasm"]) {
  describe(`infer matches tfjs (${backend} backend)`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
      await tf.ready();
    });
    afterAll(() => tf.disposeVariables());

    for (const id of allArchitectureIds()) {
      for (const numClasses of [7, 8]) {
        it(`${id}, ${numClasses} classes`, () => {
          const spec = describeArchitecture(id, numClasses);
          const model = buildFamilyModel(id, { numClasses, seed: numClasses * 100 + id.length });
          const network = networkFromModel(model, spec);
          const batch = 4;
          const images = randomImages(batch, id.length * 7 + numClasses);
          const expected = createJsEngine(network).forward(images, batch);
          const x = tf.tensor4d(images, [batch, 84, 84, 1]);
          const forward = createTfForward(network);
          const fromOps = forward(x);
          const fromLayers = model.predict(x) as tf.Tensor;
          expectClose(fromOps.dataSync() as Float32Array, expected);
          expectClose(fromLayers.dataSync() as Float32Array, expected);
          tf.dispose([x, fromOps, fromLayers]);
          forward.dispose();
          model.dispose();
        });
      }
    }

    it("a model trained on 0..1 pixels (inputScale 1/255) exports weights for raw pixels, and loads them back", () => {
      const spec = describeArchitecture("microexpnet", 7);
      const model = buildFamilyModel("microexpnet", { numClasses: 7, seed: 3, inputScale: 1 / 255 });
      const network = networkFromModel(model, spec);
      const images = randomImages(4, 11);
      const x = tf.tensor4d(images, [4, 84, 84, 1]);
      const fromLayers = model.predict(x) as tf.Tensor;
      expectClose(createJsEngine(network).forward(images, 4), fromLayers.dataSync() as Float32Array);
      // Without the fold the answers would differ: conv1 would see pixels 255 times too large.
      const unfolded = { ...network, tensors: { ...network.tensors, wc1: model.getLayer("conv1").getWeights()[0].dataSync() as Float32Array } };
      const wrong = createJsEngine(unfolded).forward(images, 4);
      const right = fromLayers.dataSync();
      expect(Math.max(...wrong.map((v, i) => Math.abs(v - right[i])))).toBeGreaterThan(1e-2);
      const again = buildFamilyModel("microexpnet", { numClasses: 7, seed: 4, inputScale: 1 / 255 });
      loadNetworkIntoModel(again, network);
      expectClose((again.predict(x) as tf.Tensor).dataSync() as Float32Array, fromLayers.dataSync() as Float32Array);
      tf.dispose([x, fromLayers]);
      model.dispose();
      again.dispose();
    });
  });
}
