/**
 * A teacher for knowledge distillation that a CPU can train: a small VGG-like network. (The
 * paper distils from an ImageNet-pretrained Inception v3; every trainable network, teachers
 * included, is listed in registry.ts.) It takes the students' 84x84x1 raw 0..255 input.
 */
import * as tfl from "@tensorflow/tfjs-layers";
import { INPUT_SIZE } from "@microexp/infer";
import type { NetworkOptions } from "./registry.js";

/** A VGG-like CNN: 3x3 convolutions in blocks of 32, 64, 128 filters with max-pooling, ~1.1 M parameters. */
export function buildVggSmall(options: NetworkOptions): tfl.Sequential {
  const seed = options.seed;
  let index = 0;
  const init = () => tfl.initializers.heNormal({ seed: seed === undefined ? undefined : seed * 64 + index++ });
  const model = tfl.sequential({ name: "teacher_vgg_small" });
  const conv = (filters: number, first = false) =>
    model.add(tfl.layers.conv2d({
      ...(first ? { inputShape: [INPUT_SIZE, INPUT_SIZE, 1] } : {}), filters, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: init(),
    }));
  // Scale raw pixels to 0..1 so that He initialisation holds.
  model.add(tfl.layers.rescaling({ scale: 1 / 255, inputShape: [INPUT_SIZE, INPUT_SIZE, 1] }));
  conv(32); conv(32);
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "same" }));
  conv(64); conv(64);
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "same" }));
  conv(128);
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "same" }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 64, activation: "relu", kernelInitializer: init() }));
  model.add(tfl.layers.dropout({ rate: options.dropout ?? 0.5 }));
  model.add(tfl.layers.dense({ units: options.numClasses, kernelInitializer: init() }));
  return model;
}
