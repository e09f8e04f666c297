// One MicroExpNet training step (@microexp/models' "microexpnet", as the trainer builds it:
// Conv2D + bias + ReLU, max-pool, ..., softmax cross-entropy) on wasm with the SIMD training
// kernels and without them (the stock and TypeScript kernels they replace): the same loss
// and gradients, from the same weights and batch.
import * as tf from "@tensorflow/tfjs-core";
import { buildFamilyModel } from "@microexp/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend, setSimdTrainingKernels } from "../src/backend/index.js";
import { uniformFloats } from "../../../test-support/random.js";
import { lossAndGradients, maxDifference, type StepResult } from "./helpers.js";

const BATCH = 16;


describe("a MicroExpNet step with and without the SIMD training kernels", () => {
  let on: StepResult;
  let off: StepResult;

  beforeAll(async () => {
    expect((await selectBackend("wasm")).customKernels).toBe(true);
    tf.setBackend("wasm");
    const model = buildFamilyModel("microexpnet");
    const classes = model.outputs[0].shape[1] as number;
    // Small biases so the bias gradients and ReLU masks are not those of an all-zero start.
    model.weights.forEach((w, i) => {
      if (w.shape.length === 1) w.write(tf.tensor(uniformFloats(w.shape[0] as number, 10 + i, -0.05, 0.05)));
    });
    const x = tf.tensor4d(uniformFloats(BATCH * 84 * 84, 1, 0, 255), [BATCH, 84, 84, 1]);
    const labels = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => (i * 5) % classes), "int32"), classes);
    const step = (simd: boolean): StepResult => {
      setSimdTrainingKernels(simd);
      // Dropout off (inference mode) so both steps see the same network.
      return lossAndGradients(model, x, labels, false);
    };
    on = step(true);
    off = step(false);
    setSimdTrainingKernels(true);
    tf.dispose([x, labels]);
    model.dispose();
  });

  afterAll(() => setSimdTrainingKernels(true));

  it("gives the same loss", () => {
    expect(Number.isFinite(on.loss)).toBe(true);
    expect(Math.abs(on.loss - off.loss) / Math.abs(off.loss)).toBeLessThanOrEqual(1e-5);
  });

  it("gives the same gradient for every weight", () => {
    expect(on.grads.size).toBe(8);
    for (const [name, reference] of off.grads) {
      const ours = on.grads.get(name);
      expect(ours, name).toBeDefined();
      const { diff, scale } = maxDifference(ours!, reference);
      expect(scale, name).toBeGreaterThan(0);
      expect(diff / scale, name).toBeLessThanOrEqual(1e-4);
    }
  });

  it("ran different kernels (conv1's gradient is summed in another order)", () => {
    const name = [...off.grads.keys()].find((n) => n.includes("conv1") && n.includes("kernel"));
    expect(name).toBeDefined();
    expect(on.grads.get(name!)).not.toEqual(off.grads.get(name!));
  });
});
