/**
 * dsnet: a small fully convolutional network for in-the-wild faces, built from
 * depthwise-separable convolutions (a 3x3 depthwise then a 1x1 pointwise convolution) with
 * batch norm, two residual blocks (shortcut: 1x1 convolution of stride 2) and global average
 * pooling, in the manner of mini-Xception. About 9.5 M multiply-adds and 80 k parameters at
 * the students' 84x84x1 raw 0..255 input: more capacity than MicroExpNet (2.85 M, 24 k) where
 * FER2013's faces need it, still small enough for a CPU to train and for the runtime.
 * Batch norm folds into the convolution before it when exported.
 *
 * dsnet-wide is the same network with more channels after the stem (40, 80, 160, 320 for 32,
 * 64, 128, 256): about 14 M multiply-adds and 124 k parameters, for a single crop that still
 * classifies within a millisecond.
 */
import * as tfl from "@tensorflow/tfjs-layers";
import type { SymbolicTensor } from "@tensorflow/tfjs-layers";
import type { NetworkOptions } from "./registry.js";
import { INPUT_SIZE } from "@microexp/infer";
import { BatchNorm } from "./batch-norm.js";
import { InputConv2D } from "./input-conv2d.js";

/** Output channels of the stem, the first separable convolution, the two residual blocks and the last separable convolution. */
export interface DsnetWidths {
  stem: number;
  sep1: number;
  block1: number;
  block2: number;
  sep2: number;
}

export const DSNET_WIDTHS: DsnetWidths = { stem: 16, sep1: 32, block1: 64, block2: 128, sep2: 256 };
/** Multiples of 8, the runtime's GEMM panel width. */
export const DSNET_WIDE_WIDTHS: DsnetWidths = { stem: 16, sep1: 40, block1: 80, block2: 160, sep2: 320 };

export function buildDsnet(options: NetworkOptions, widths: DsnetWidths = DSNET_WIDTHS, modelName = "dsnet"): tfl.LayersModel {
  const seed = options.seed;
  let index = 0;
  const init = () => tfl.initializers.heNormal({ seed: seed === undefined ? undefined : seed * 64 + index++ });
  const bn = (name: string, x: SymbolicTensor) => new BatchNorm({ name: `${name}_bn` }).apply(x) as SymbolicTensor;
  const relu = (name: string, x: SymbolicTensor) => tfl.layers.reLU({ name: `${name}_relu` }).apply(x) as SymbolicTensor;
  /** Depthwise 3x3, pointwise 1x1 to `filters`, batch norm; relu unless the block's add comes next. */
  const separable = (name: string, x: SymbolicTensor, filters: number, activate = true): SymbolicTensor => {
    const dw = tfl.layers.depthwiseConv2d({ name: `${name}_dw`, kernelSize: 3, padding: "same", useBias: false, depthwiseInitializer: init() }).apply(x) as SymbolicTensor;
    const pw = tfl.layers.conv2d({ name: `${name}_pw`, filters, kernelSize: 1, useBias: false, kernelInitializer: init() }).apply(dw) as SymbolicTensor;
    const normed = bn(name, pw);
    return activate ? relu(name, normed) : normed;
  };
  const pool = (name: string, x: SymbolicTensor) => tfl.layers.maxPooling2d({ name, poolSize: 2, strides: 2, padding: "same" }).apply(x) as SymbolicTensor;
  /** Two separable convolutions and a max-pool, plus a strided 1x1 shortcut from the block's input. */
  const residual = (name: string, x: SymbolicTensor, filters: number): SymbolicTensor => {
    const shortcut = bn(`${name}_skip`, tfl.layers.conv2d({ name: `${name}_skip`, filters, kernelSize: 1, strides: 2, padding: "same", useBias: false, kernelInitializer: init() }).apply(x) as SymbolicTensor);
    const main = pool(`${name}_pool`, separable(`${name}_b`, separable(`${name}_a`, x, filters), filters, false));
    return relu(name, tfl.layers.add({ name: `${name}_add` }).apply([main, shortcut]) as SymbolicTensor);
  };

  const input = tfl.input({ shape: [INPUT_SIZE, INPUT_SIZE, 1], name: "image" });
  // Raw pixels to 0..1, so that He initialisation and batch norm start from sensible scales.
  let x = tfl.layers.rescaling({ name: "rescale", scale: 1 / 255 }).apply(input) as SymbolicTensor;
  // The stem reads the image: InputConv2D spares training the image's gradient.
  x = new InputConv2D({ name: "stem", filters: widths.stem, kernelSize: 3, strides: 2, padding: "same", useBias: false, kernelInitializer: init() }).apply(x) as SymbolicTensor;
  x = relu("stem", bn("stem", x));
  x = pool("sep1_pool", separable("sep1", x, widths.sep1));
  x = residual("block1", x, widths.block1);
  x = residual("block2", x, widths.block2);
  x = separable("sep2", x, widths.sep2);
  x = tfl.layers.globalAveragePooling2d({ name: "gap" }).apply(x) as SymbolicTensor;
  x = tfl.layers.dropout({ name: "dropout", rate: options.dropout ?? 0.5 }).apply(x) as SymbolicTensor;
  const logits = tfl.layers.dense({ name: "logits", units: options.numClasses, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed * 64 + index++ }) }).apply(x) as SymbolicTensor;
  return tfl.model({ name: modelName, inputs: input, outputs: logits });
}
