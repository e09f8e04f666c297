/**
 * A Conv2D for a network's first convolution, whose input (the image) needs no gradient.
 * tfjs-layers runs every Conv2D through tfjs's fused convolution, whose custom gradient
 * computes the input's gradient with the kernel's, needed or not (dsnet's stem: about 11 ms of
 * a 270 ms training step at batch 64); the plain conv2d op computes only what the tape asks
 * for. Same kernels, same results. It stays a "Conv2D" to whatever reads layers (graph export,
 * serialisation), so it is a drop-in for tfl.layers.conv2d without bias or activation.
 */
import "@tensorflow/tfjs-layers"; // registers Conv2D, which the registry lookup below needs
import * as tf from "@tensorflow/tfjs-core";
import type { Conv2D, ConvLayerArgs } from "@tensorflow/tfjs-layers/dist/layers/convolutional";

// tfjs-layers does not export the class; its serialisation registry holds it.
const Conv2DLayer = tf.serialization.SerializationMap.getMap().classNameMap.Conv2D[0] as unknown as typeof Conv2D;

export class InputConv2D extends Conv2DLayer {
  constructor(args: ConvLayerArgs) {
    super(args);
    const plain = !this.useBias && this.activation.getClassName() === "linear" && this.dataFormat === "channelsLast" && this.dilationRate.every((d) => d === 1);
    if (!plain) throw new Error(`InputConv2D ${this.name}: only a convolution without bias, activation or dilation, channels last`);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.conv2d(x, this.kernel.read() as tf.Tensor4D, this.strides as [number, number], this.padding as "same" | "valid");
  }
}
