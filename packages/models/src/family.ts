/**
 * TensorFlow.js (tfjs-layers) definitions of the MicroExpNet candidate family, built from
 * the same spec the runtime uses, with the paper's initialisation: Glorot-uniform weights,
 * biases drawn from N(0, 0.5), dropout before the logits layer.
 */
import * as tfl from "@tensorflow/tfjs-layers";
import type { ArchitectureSpec } from "@microexp/infer";
import { describeArchitecture } from "@microexp/infer";

export interface FamilyModelOptions {
  /** Output classes (default 8: the paper's CK+ label set with neutral). */
  numClasses?: number;
  /** Dropout rate after fc1 during training: 0.5 for candidates (keep-prob 0.5), 0 for the final model. */
  dropout?: number;
  /** Seeds every initializer, so a seed fixes the initial weights. */
  seed?: number;
  /** Standard deviation of the bias initializer (the paper: 0.5). */
  biasStddev?: number;
  /**
   * Multiplies the 0..255 pixels before conv1 (default 1: the paper's raw pixels; 1 / 255 for
   * 0..1). Exported weights fold it into conv1's kernel, so the runtime still takes raw pixels.
   */
  inputScale?: number;
}

/** Layer names, shared by the export and import code. */
export const LAYER_NAMES = { rescale: "rescale", conv1: "conv1", pool1: "pool1", conv2: "conv2", pool2: "pool2", fc1: "fc1", dropout: "dropout", logits: "logits" } as const;

/** A family member ("p12-XXS", "microexpnet", ...) as a tfjs-layers model that outputs logits. */
export function buildFamilyModel(architecture: string, options: FamilyModelOptions = {}): tfl.Sequential {
  const spec = describeArchitecture(architecture, options.numClasses ?? 8);
  return buildFromSpec(spec, options);
}

export function buildFromSpec(spec: ArchitectureSpec, options: FamilyModelOptions = {}): tfl.Sequential {
  const seed = options.seed;
  let layerIndex = 0;
  // Each initializer gets its own seed derived from the model seed, so layers differ.
  const next = () => (seed === undefined ? undefined : seed * 16 + layerIndex++);
  const kernel = () => tfl.initializers.glorotUniform({ seed: next() });
  const bias = () => tfl.initializers.randomNormal({ mean: 0, stddev: options.biasStddev ?? 0.5, seed: next() });
  const model = tfl.sequential({ name: `microexpnet_${spec.id.replace("-", "_")}` });
  const inputShape = [spec.inputSize, spec.inputSize, 1];
  const scale = options.inputScale ?? 1;
  if (!(scale > 0 && Number.isFinite(scale))) throw new Error(`inputScale must be a positive number, got ${scale}`);
  if (scale !== 1) model.add(tfl.layers.rescaling({ name: LAYER_NAMES.rescale, scale, inputShape }));
  model.add(tfl.layers.conv2d({
    name: LAYER_NAMES.conv1, ...(scale === 1 ? { inputShape } : {}), filters: spec.conv1.filters,
    kernelSize: spec.conv1.kernel, strides: spec.conv1.stride, padding: "same", activation: "relu",
    kernelInitializer: kernel(), biasInitializer: bias(),
  }));
  if (spec.pool1) model.add(tfl.layers.maxPooling2d({ name: LAYER_NAMES.pool1, poolSize: 2, strides: 2, padding: "same" }));
  model.add(tfl.layers.conv2d({
    name: LAYER_NAMES.conv2, filters: spec.conv2.filters, kernelSize: spec.conv2.kernel, strides: spec.conv2.stride,
    padding: "same", activation: "relu", kernelInitializer: kernel(), biasInitializer: bias(),
  }));
  if (spec.pool2) model.add(tfl.layers.maxPooling2d({ name: LAYER_NAMES.pool2, poolSize: 2, strides: 2, padding: "same" }));
  model.add(tfl.layers.flatten({ name: "flatten" }));
  model.add(tfl.layers.dense({ name: LAYER_NAMES.fc1, units: spec.fc1, activation: "relu", kernelInitializer: kernel(), biasInitializer: bias() }));
  model.add(tfl.layers.dropout({ name: LAYER_NAMES.dropout, rate: options.dropout ?? 0.5 }));
  model.add(tfl.layers.dense({ name: LAYER_NAMES.logits, units: spec.numClasses, kernelInitializer: kernel(), biasInitializer: bias() }));
  return model;
}
