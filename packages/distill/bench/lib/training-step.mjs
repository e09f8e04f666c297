// The training step the benches time: forward, backward and tfjs's Adam on one fixed random
// batch (raw 0..255 pixels, one-hot labels). Call after selecting the backend.
import * as tf from "@tensorflow/tfjs-core";

export function trainingStep(model, batch, name) {
  const classes = model.outputs[0].shape[1];
  const optimizer = tf.train.adam(1e-4);
  const images = tf.randomUniform([batch, 84, 84, 1], 0, 255);
  const labels = tf.oneHot(tf.randomUniform([batch], 0, classes, "int32"), classes);
  return {
    step() {
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true })), true);
      const value = loss.dataSync()[0]; // waits for the step to finish
      loss.dispose();
      if (!Number.isFinite(value)) throw new Error(`bench: ${name} step gave loss ${value}`);
    },
    dispose() {
      tf.dispose([images, labels]);
      optimizer.dispose();
    },
  };
}
