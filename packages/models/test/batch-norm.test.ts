import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { BatchNorm, buildDsnet } from "../src/index.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Both layers on the same input, with the same non-trivial gamma, beta and moving statistics. */
function pair(channels: number) {
  const ours = new BatchNorm({ name: "ours" });
  const theirs = tfl.layers.batchNormalization({ name: "theirs", epsilon: 1e-3 });
  const shape = [null, 5, 3, channels];
  ours.build(shape);
  theirs.build(shape);
  const values = [tf.randomUniform([channels], 0.5, 2, "float32", 1), tf.randomNormal([channels], 0, 1, "float32", 2),
    tf.randomNormal([channels], 0, 1, "float32", 3), tf.randomUniform([channels], 0.5, 3, "float32", 4)];
  ours.setWeights(values);
  theirs.setWeights(values);
  return { ours, theirs };
}

describe("BatchNorm", () => {
  it("normalises a training batch, and moves its statistics, exactly as tfjs-layers' BatchNormalization", () => {
    const { ours, theirs } = pair(6);
    const x = tf.randomNormal([4, 5, 3, 6], 3, 2, "float32", 5);
    const a = ours.apply(x, { training: true }) as tf.Tensor;
    const b = theirs.apply(x, { training: true }) as tf.Tensor;
    expect(Math.max(...tf.abs(tf.sub(a, b)).dataSync())).toBeLessThan(1e-5);
    const [oursStats, theirStats] = [ours.getWeights().slice(2), theirs.getWeights().slice(2)];
    for (let i = 0; i < 2; i++) expect(Math.max(...tf.abs(tf.sub(oursStats[i], theirStats[i])).dataSync())).toBeLessThan(1e-5);
  });

  it("has the gradients of tfjs-layers' BatchNormalization for the input, gamma and beta", () => {
    const { ours, theirs } = pair(4);
    const x = tf.randomNormal([3, 5, 3, 4], 1, 2, "float32", 6);
    const weightOfEachOutput = tf.randomNormal([3, 5, 3, 4], 0, 1, "float32", 7);
    const gradients = (layer: tfl.layers.Layer) => {
      const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const loss = (input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, weightOfEachOutput));
      const dx = tf.grad(loss)(x);
      const { grads } = tf.variableGrads(() => loss(x) as tf.Scalar, [gamma, beta]);
      return [dx, grads[gamma.name], grads[beta.name]];
    };
    const a = gradients(ours);
    const b = gradients(theirs);
    for (let i = 0; i < 3; i++) expect(Math.max(...tf.abs(tf.sub(a[i], b[i])).dataSync())).toBeLessThan(1e-4);
    // A wrong formula would not pass: dx is far from zero.
    expect(Math.max(...tf.abs(a[0]).dataSync())).toBeGreaterThan(0.1);
  });

  it("infers with the moving statistics", () => {
    const { ours, theirs } = pair(3);
    const x = tf.randomNormal([2, 5, 3, 3], 0, 1, "float32", 8);
    const d = tf.abs(tf.sub(ours.apply(x) as tf.Tensor, theirs.apply(x) as tf.Tensor));
    expect(Math.max(...d.dataSync())).toBeLessThan(1e-5);
  });
});

describe("dsnet", () => {
  it("maps an 84x84 grayscale face to class logits, with about 82 k trainable parameters", () => {
    const model = buildDsnet({ numClasses: 7, seed: 1 });
    const logits = model.predict(tf.randomUniform([2, 84, 84, 1], 0, 255, "float32", 9)) as tf.Tensor;
    expect(logits.shape).toEqual([2, 7]);
    expect(logits.dataSync().every(Number.isFinite)).toBe(true);
    const trainable = model.trainableWeights.reduce((n, w) => n + w.read().size, 0);
    expect(trainable).toBe(81831);
    // The same seed builds the same network.
    const again = buildDsnet({ numClasses: 7, seed: 1 });
    expect(again.getWeights()[0].dataSync()).toEqual(model.getWeights()[0].dataSync());
  });
});
