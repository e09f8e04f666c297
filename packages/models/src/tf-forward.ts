/**
 * The inference graph of a family member in plain tfjs-core ops (fused conv + bias + ReLU),
 * without tfjs-layers: about twice as fast as LayersModel.predict, and what the
 * benchmark compares the runtime against.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { NetworkWeights } from "@microexp/infer";
import { tensorShapes } from "@microexp/infer";

export interface TfForward {
  /** x: [batch, 84, 84, 1] raw 0..255 -> logits [batch, numClasses]. */
  (x: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

export function createTfForward(network: NetworkWeights): TfForward {
  const { spec } = network;
  const shapes = tensorShapes(spec);
  const t = Object.fromEntries(Object.entries(network.tensors).map(([k, v]) => [k, tf.tensor(v, shapes[k as keyof typeof shapes])]));
  const pool = (x: tf.Tensor4D) => tf.maxPool(x, 2, 2, "same");
  const run = ((x: tf.Tensor4D) =>
    tf.tidy(() => {
      let h = tf.fused.conv2d({ x, filter: t.wc1 as tf.Tensor4D, strides: spec.conv1.stride, pad: "same", bias: t.bc1, activation: "relu" });
      if (spec.pool1) h = pool(h);
      h = tf.fused.conv2d({ x: h, filter: t.wc2 as tf.Tensor4D, strides: spec.conv2.stride, pad: "same", bias: t.bc2, activation: "relu" });
      if (spec.pool2) h = pool(h);
      const flat = tf.reshape(h, [h.shape[0], spec.flatSize]) as tf.Tensor2D;
      const hidden = tf.fused.matMul({ a: flat, b: t.wfc as tf.Tensor2D, bias: t.bfc, activation: "relu" });
      return tf.fused.matMul({ a: hidden, b: t.wo as tf.Tensor2D, bias: t.bo });
    })) as TfForward;
  run.dispose = () => tf.dispose(Object.values(t));
  return run;
}
