// InputConv2D, dsnet's stem: the same outputs and kernel gradients as tfjs-layers' Conv2D, a
// "Conv2D" to everything that reads layers, and no gradient for its input (the image).
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { InputConv2D } from "../src/input-conv2d.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const args = { filters: 4, kernelSize: 3, strides: 2, padding: "same" as const, useBias: false };

describe("InputConv2D", () => {
  it("gives tfjs-layers' Conv2D outputs and kernel gradients, bit for bit, and computes no input gradient", async () => {
    const plain = tfl.layers.conv2d(args);
    const input = new InputConv2D(args);
    const x = tf.randomUniform([2, 9, 9, 1], 0, 1, "float32", 3);
    plain.apply(x);
    input.apply(x);
    input.setWeights(plain.getWeights());
    expect(input.getClassName()).toBe("Conv2D");
    expect(input.getConfig()).toEqual({ ...plain.getConfig(), name: input.name });
    const run = (layer: tfl.layers.Layer) => {
      const kernel = layer.trainableWeights[0].read() as tf.Variable;
      return tf.variableGrads(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar, [kernel]);
    };
    const expected = run(plain);
    let got!: ReturnType<typeof run>;
    const profile = await tf.profile(() => {
      got = run(input);
    });
    expect(got.value.dataSync()).toEqual(expected.value.dataSync());
    expect(Object.values(got.grads)[0].dataSync()).toEqual(Object.values(expected.grads)[0].dataSync());
    const kernels = profile.kernels.map((k) => k.name);
    expect(kernels).toContain("Conv2DBackpropFilter");
    expect(kernels).not.toContain("Conv2DBackpropInput");
  });

  it("refuses a bias or an activation, which it does not apply", () => {
    expect(() => new InputConv2D({ ...args, useBias: true })).toThrow(/only a convolution without bias, activation or dilation/);
    expect(() => new InputConv2D({ ...args, activation: "relu" })).toThrow(/only a convolution without bias, activation or dilation/);
  });
});
