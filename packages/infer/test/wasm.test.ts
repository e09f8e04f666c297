import { describe, expect, it } from "vitest";
import type { NetworkWeights, TensorName } from "../src/architecture.js";
import { allArchitectureIds, describeArchitecture, tensorShapes } from "../src/architecture.js";
import { familyNetwork } from "../src/graph/family.js";
import { createJsEngine } from "../src/forward-js.js";
import { WASM_MAX_CHUNK, createWasmEngine, wasmSimdSupported } from "../src/wasm/engine-wasm.js";
import { seededRandom } from "../../../test-support/random.js";

/** The paper's initialisation: Glorot-uniform weights, biases N(0, 0.5). */
function randomNetwork(id: string, numClasses: number, seed: number): NetworkWeights {
  const spec = describeArchitecture(id, numClasses);
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const shapes = tensorShapes(spec);
  const tensors = {} as Record<TensorName, Float32Array>;
  for (const [name, shape] of Object.entries(shapes) as [TensorName, number[]][]) {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (shape.length === 1) {
      for (let i = 0; i < values.length; i++) values[i] = 0.5 * normal();
    } else {
      const receptive = shape.length === 4 ? shape[0] * shape[1] : 1;
      const fanIn = receptive * shape[shape.length - 2];
      const fanOut = receptive * shape[shape.length - 1];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < values.length; i++) values[i] = (2 * random() - 1) * limit;
    }
    tensors[name] = values;
  }
  return familyNetwork(spec, tensors);
}

/** Raw 0..255 images: uniform noise, integer pixels, smooth gradients, all black, all white. */
function randomImages(count: number, pixels: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const images = new Float32Array(count * pixels);
  for (let b = 0; b < count; b++) {
    const image = images.subarray(b * pixels, (b + 1) * pixels);
    const kind = b % 5;
    const phase = random() * 10;
    for (let i = 0; i < pixels; i++) {
      if (kind === 0) image[i] = random() * 255;
      else if (kind === 1) image[i] = Math.floor(random() * 256);
      else if (kind === 2) image[i] = 127.5 + 127.5 * Math.sin(phase + i / 97);
      else if (kind === 3) image[i] = b % 10 === 3 ? 0 : random() * 255;
      else image[i] = b % 10 === 4 ? 255 : Math.round(random() * 255);
    }
  }
  return images;
}

function expectClose(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(error <= worst)) {
      worst = error;
      worstAt = i;
    }
  }
  expect(worst, `${label}: worst relative error at logit ${worstAt} (${actual[worstAt]} vs ${expected[worstAt]})`).toBeLessThanOrEqual(1e-4);
}

describe("wasm engine", () => {
  it("is supported in Node 20 (the JS engine is only a fallback there)", () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  it("splits batch 70 into kernel chunks (the sweep below exercises that path)", () => {
    expect(70).toBeGreaterThan(WASM_MAX_CHUNK);
  });

  for (const numClasses of [7, 8]) {
    for (const id of allArchitectureIds()) {
      it(`matches the JS engine: ${id}, ${numClasses} classes, batches 1, 3, 70`, async () => {
        const network = randomNetwork(id, numClasses, numClasses * 1000 + id.length * 31 + id.charCodeAt(0));
        const wasm = await createWasmEngine(network);
        expect(wasm).not.toBeNull();
        expect(wasm!.kind).toBe("wasm");
        expect(wasm!.network).toBe(network);
        const js = createJsEngine(network);
        const pixels = network.graph.inputSize ** 2;
        const images = randomImages(74, pixels, id.charCodeAt(1) + numClasses);
        const expected = js.forward(images, 74);
        let start = 0;
        for (const batch of [1, 3, 70]) {
          const input = images.subarray(start * pixels, (start + batch) * pixels);
          const logits = wasm!.forward(input, batch);
          expect(logits.length).toBe(batch * numClasses);
          expectClose(logits, expected.subarray(start * numClasses, (start + batch) * numClasses), `${id} batch ${batch}`);
          start += batch;
        }
      });
    }
  }
});
