/** Moving parameters between a tfjs-layers family model and the runtime's NetworkWeights. */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { ArchitectureSpec, EncodeOptions, NetworkWeights, TensorName } from "@microexp/infer";
import { describeArchitecture, encodeWeights, familyNetwork, tensorShapes } from "@microexp/infer";
import { LAYER_NAMES } from "./family.js";
import { graphFromModel } from "./graph-export.js";
import { isFamilyMember } from "./registry.js";

/** Which layer holds each runtime tensor: [layer, 0 = kernel | 1 = bias]. */
const TENSOR_LAYERS: Record<TensorName, [string, 0 | 1]> = {
  wc1: [LAYER_NAMES.conv1, 0], bc1: [LAYER_NAMES.conv1, 1],
  wc2: [LAYER_NAMES.conv2, 0], bc2: [LAYER_NAMES.conv2, 1],
  wfc: [LAYER_NAMES.fc1, 0], bfc: [LAYER_NAMES.fc1, 1],
  wo: [LAYER_NAMES.logits, 0], bo: [LAYER_NAMES.logits, 1],
};

function layerWeights(model: tfl.LayersModel, name: string): tf.Variable[] {
  try {
    return model.getLayer(name).weights.map((w) => w.read() as tf.Variable);
  } catch {
    throw new Error(`model ${model.name} has no layer "${name}": not a MicroExpNet family model`);
  }
}

/** The factor a family model's rescale layer applies to the pixels (1 without one). */
export function inputScaleOf(model: tfl.LayersModel): number {
  const layer = model.layers.find((l) => l.name === LAYER_NAMES.rescale);
  return layer ? Number(layer.getConfig().scale) : 1;
}

/**
 * Copies a trained model's parameters out (same layouts as TF: HWIO kernels, [in, out] dense).
 * A rescale layer's factor is folded into conv1's kernel: convolution is linear, so the
 * network gives the same answers on raw pixels.
 */
export function networkFromModel(model: tfl.LayersModel, spec: ArchitectureSpec): NetworkWeights {
  const shapes = tensorShapes(spec);
  const tensors = {} as Record<TensorName, Float32Array>;
  for (const [name, [layer, index]] of Object.entries(TENSOR_LAYERS) as Array<[TensorName, [string, 0 | 1]]>) {
    const w = layerWeights(model, layer)[index];
    if (w.shape.join(",") !== shapes[name].join(",")) {
      throw new Error(`layer ${layer} weight ${index} has shape [${w.shape}], ${spec.id} needs [${shapes[name]}] for ${name}`);
    }
    tensors[name] = Float32Array.from(w.dataSync());
  }
  const scale = inputScaleOf(model);
  if (scale !== 1) tensors.wc1 = tensors.wc1.map((v) => v * scale);
  return familyNetwork(spec, tensors);
}

/**
 * Loads runtime parameters into a model built with buildFamilyModel for the same spec, except
 * the layers in `skipLayers` (e.g. the logits when fine-tuning on another label set).
 * Returns the layers loaded.
 */
export function loadNetworkIntoModel(model: tfl.LayersModel, network: NetworkWeights, skipLayers: readonly string[] = []): string[] {
  if (!network.spec) throw new Error(`loadNetworkIntoModel: graph ${network.graph.name} is not a member of the MicroExpNet family`);
  const shapes = tensorShapes(network.spec);
  const loaded: string[] = [];
  for (const layerName of new Set(Object.values(TENSOR_LAYERS).map(([layer]) => layer))) {
    if (skipLayers.includes(layerName)) continue;
    loaded.push(layerName);
    const names = (Object.keys(TENSOR_LAYERS) as TensorName[]).filter((n) => TENSOR_LAYERS[n][0] === layerName);
    // A model with a rescale layer holds conv1's kernel for rescaled pixels.
    const scale = layerName === LAYER_NAMES.conv1 ? inputScaleOf(model) : 1;
    const values = names.sort((a, b) => TENSOR_LAYERS[a][1] - TENSOR_LAYERS[b][1])
      .map((n) => tf.tensor(scale !== 1 && n === "wc1" ? network.tensors[n].map((v) => v / scale) : network.tensors[n], shapes[n]));
    model.getLayer(layerName).setWeights(values);
    tf.dispose(values);
  }
  return loaded;
}

/** The runtime weights file (.mxw) of a trained model. */
export function exportWeightsFile(model: tfl.LayersModel, spec: ArchitectureSpec, options: EncodeOptions): Uint8Array {
  return encodeWeights(networkFromModel(model, spec), options);
}

/**
 * The runtime network of any trained model by its architecture's name: a family member's with
 * the authors' tensor names (as networkFromModel), any other network's layer graph (graphFromModel).
 */
export function modelNetwork(model: tfl.LayersModel, architecture: string, numClasses: number): NetworkWeights {
  if (isFamilyMember(architecture)) return networkFromModel(model, describeArchitecture(architecture, numClasses));
  return graphFromModel(model, { name: architecture });
}
