// One dsnet training step (@microexp/models' depthwise-separable network with batch norm:
// its depthwise gradients and batch-norm row sums run in the SIMD module) on wasm with the SIMD
// training kernels and without them (the TypeScript loops and stock kernels they replace):
// the same loss and gradients, from the same weights and batch.
import * as tf from "@tensorflow/tfjs-core";
import { buildDsnet } from "@microexp/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend, setSimdTrainingKernels } from "../src/backend/index.js";
import { lossAndGradients, maxDifference, uniform, type StepResult } from "./helpers.js";

const BATCH = 4;

describe("a dsnet step with and without the SIMD training kernels", () => {
  let on: StepResult;
  let off: StepResult;
  let cpu: StepResult;

  beforeAll(async () => {
    expect((await selectBackend("wasm")).customKernels).toBe(true);
    tf.setBackend("wasm");
    // Dropout 0 so both steps see the same network; training mode so batch norm takes the
    // batch's statistics.
    const model = buildDsnet({ numClasses: 8, seed: 3, dropout: 0 });
    const next = uniform(7);
    const x = tf.tensor4d(Float32Array.from({ length: BATCH * 84 * 84 }, () => next() * 255), [BATCH, 84, 84, 1]);
    const labels = tf.oneHot(tf.tensor1d([0, 3, 5, 6], "int32"), 8);
    const step = (simd: boolean): StepResult => {
      setSimdTrainingKernels(simd);
      return lossAndGradients(model, x, labels, true);
    };
    on = step(true);
    off = step(false);
    setSimdTrainingKernels(true);
    // The same step on tfjs-backend-cpu (the stock kernels, float64 sums): the reference for
    // everything the wasm path runs, our BatchNorm's gradient and the 1x1 filter gradient included.
    await tf.setBackend("cpu");
    cpu = step(true);
    await tf.setBackend("wasm");
    tf.dispose([x, labels]);
    model.dispose();
  });

  afterAll(() => setSimdTrainingKernels(true));

  it("gives the same loss", () => {
    expect(Number.isFinite(on.loss)).toBe(true);
    expect(Math.abs(on.loss - off.loss) / Math.abs(off.loss)).toBeLessThanOrEqual(1e-5);
  });

  it("gives the same gradient for every weight, the depthwise kernels' included", () => {
    expect([...off.grads.keys()].filter((n) => n.includes("_dw"))).toHaveLength(6);
    for (const [name, reference] of off.grads) {
      const ours = on.grads.get(name);
      expect(ours, name).toBeDefined();
      const { diff, scale } = maxDifference(ours!, reference);
      expect(scale, name).toBeGreaterThan(0);
      expect(diff / scale, name).toBeLessThanOrEqual(1e-4);
    }
  });

  it("gives the loss and gradients of tfjs-backend-cpu", () => {
    expect(Math.abs(on.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThanOrEqual(1e-4);
    for (const [name, reference] of cpu.grads) {
      const ours = on.grads.get(name)!;
      const { diff, scale } = maxDifference(ours, reference);
      expect(diff / scale, name).toBeLessThanOrEqual(1e-3);
    }
  });

  it("ran different kernels (the depthwise filter gradients are summed in another order)", () => {
    const names = [...off.grads.keys()].filter((n) => n.includes("_dw"));
    expect(names.some((name) => on.grads.get(name)!.some((v, i) => v !== off.grads.get(name)![i]))).toBe(true);
  });
});
