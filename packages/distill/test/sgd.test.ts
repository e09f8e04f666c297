// SGD's update against the formula worked by hand, and its refusal of a checkpoint that is not its own.
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../src/backend/index.js";
import { createOptimizer } from "../src/optimizer.js";
import { Sgd } from "../src/sgd.js";

beforeAll(async () => {
  await selectBackend("cpu");
});

/** Two steps on w = [1, -2] with gradients g1 then g2, momentum 0.5, rate 0.1. */
function twoSteps(nesterov: boolean, weightDecay: number): number[] {
  const w = tf.variable(tf.tensor1d([1, -2]));
  const sgd = new Sgd([w], { momentum: 0.5, nesterov, weightDecay });
  for (const g of [[0.4, 1], [-0.2, 0.6]]) tf.tidy(() => sgd.apply([tf.tensor1d(g)], 0.1));
  const values = Array.from(w.dataSync());
  sgd.dispose();
  w.dispose();
  return values;
}

describe("Sgd", () => {
  it("follows v = mu v + g, w -= lr (g + mu v) with Nesterov, w -= lr v without, then the decoupled decay", () => {
    // Plain momentum: v1 = g1, w1 = w0 - 0.1 v1; v2 = 0.5 v1 + g2, w2 = w1 - 0.1 v2.
    const v1 = [0.4, 1], v2 = [0.5 * 0.4 - 0.2, 0.5 * 1 + 0.6];
    const plain = [1 - 0.1 * v1[0] - 0.1 * v2[0], -2 - 0.1 * v1[1] - 0.1 * v2[1]];
    twoSteps(false, 0).forEach((v, i) => expect(v).toBeCloseTo(plain[i], 6));
    // Nesterov: the step is g + mu v.
    const w1 = [1 - 0.1 * (0.4 + 0.5 * v1[0]), -2 - 0.1 * (1 + 0.5 * v1[1])];
    const nesterov = [w1[0] - 0.1 * (-0.2 + 0.5 * v2[0]), w1[1] - 0.1 * (0.6 + 0.5 * v2[1])];
    twoSteps(true, 0).forEach((v, i) => expect(v).toBeCloseTo(nesterov[i], 6));
    // Decoupled decay 0.5: each step also subtracts 0.1 * 0.5 * w (the weights before the step).
    const d1 = [1 - 0.1 * (0.4 + 0.5 * v1[0]) - 0.05 * 1, -2 - 0.1 * (1 + 0.5 * v1[1]) - 0.05 * -2];
    const decayed = [d1[0] - 0.1 * (-0.2 + 0.5 * v2[0]) - 0.05 * d1[0], d1[1] - 0.1 * (0.6 + 0.5 * v2[1]) - 0.05 * d1[1]];
    twoSteps(true, 0.5).forEach((v, i) => expect(v).toBeCloseTo(decayed[i], 6));
  });

  it("refuses Adam's slots, and a momentum outside [0, 1)", () => {
    const w = tf.variable(tf.zeros([3]));
    const sgd = createOptimizer([w], { kind: "sgd" }, 0);
    const adam = createOptimizer([w], { kind: "adam" }, 0);
    expect(() => sgd.restore(1, adam.saveSlots())).toThrow("SGD: checkpoint holds 2 slots, expected 1");
    expect(() => new Sgd([w], { momentum: 1 })).toThrow("SGD momentum must be in [0, 1), got 1");
    sgd.dispose();
    adam.dispose();
    w.dispose();
  });
});
