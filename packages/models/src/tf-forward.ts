/**
 * The inference of any layer graph in plain tfjs-core ops (fused conv + bias + ReLU), without
 * tfjs-layers: about twice as fast as LayersModel.predict, what the benchmark compares the
 * runtime against, and the TensorFlow.js reference the runtime's engines are tested against.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { GraphNode, NetworkWeights } from "@microexp/infer";
import { analyzeGraph } from "@microexp/infer";

export interface TfForward {
  /** x: [batch, inputSize, inputSize, 1] raw 0..255 -> logits [batch, numClasses]. */
  (x: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

type Activation = "relu" | "linear";
const activation = (relu: boolean | undefined): Activation => (relu ? "relu" : "linear");

function runNode(node: GraphNode, inputs: tf.Tensor[], t: Record<string, tf.Tensor>): tf.Tensor {
  const [x] = inputs;
  const bias = (name: string | undefined) => (name === undefined ? undefined : t[name]);
  switch (node.op) {
    case "rescale":
      return tf.add(tf.mul(x, node.scale), node.offset);
    case "relu":
      return tf.relu(x);
    case "conv2d":
      return tf.fused.conv2d({
        x: x as tf.Tensor4D, filter: t[node.weights] as tf.Tensor4D, strides: node.stride, pad: "same",
        bias: bias(node.bias), activation: activation(node.relu),
      });
    case "depthwiseConv2d":
      return tf.fused.depthwiseConv2d({
        x: x as tf.Tensor4D, filter: t[node.weights] as tf.Tensor4D, strides: node.stride, pad: "same",
        bias: bias(node.bias), activation: activation(node.relu),
      });
    case "maxPool":
      return tf.maxPool(x as tf.Tensor4D, node.size, node.stride, "same");
    case "globalAvgPool":
      return tf.mean(x, [1, 2]);
    case "flatten":
      return tf.reshape(x, [x.shape[0], -1]);
    case "dense":
      return tf.fused.matMul({ a: x as tf.Tensor2D, b: t[node.weights] as tf.Tensor2D, bias: bias(node.bias), activation: activation(node.relu) });
    case "add": {
      const sum = tf.add(x, inputs[1]);
      return node.relu ? tf.relu(sum) : sum;
    }
  }
}

/** A network's forward pass in tfjs-core ops, on the current backend. */
export function createTfForward(network: NetworkWeights): TfForward {
  const { graph, parameters } = analyzeGraph(network.graph);
  const t = Object.fromEntries(parameters.map(({ name, shape }) => [name, tf.tensor(network.tensors[name], shape)]));
  const run = ((x: tf.Tensor4D) =>
    tf.tidy(() => {
      const values = new Map<string, tf.Tensor>([["input", x]]);
      let out: tf.Tensor = x;
      for (const node of graph.nodes) {
        out = runNode(node, node.inputs.map((input) => values.get(input)!), t);
        values.set(node.name, out);
      }
      return out as tf.Tensor2D;
    })) as TfForward;
  run.dispose = () => tf.dispose(Object.values(t));
  return run;
}
