/**
 * Starting a network from trained weights (fine-tuning): e.g. a teacher pre-trained on
 * FER2013's 28,709 in-the-wild faces, then trained on a CK+ fold. The paper's teacher starts
 * from ImageNet the same way.
 */
import { readFileSync } from "node:fs";
import type * as tfl from "@tensorflow/tfjs-layers";
import { decodeWeights, describeArchitecture } from "@microexp/infer";
import { LAYER_NAMES, loadNetworkIntoModel } from "@microexp/models";

export interface InitWeights {
  /** A .mxw weights file of the same family member. */
  file: string;
  /** Its SHA-256, so that caches and checkpoints made from other weights are never reused. */
  sha256: string;
}

/**
 * Copies the weights in `init.file` into `model` (built for `architecture` with `labels`).
 * The output layer is copied only when the file has the same labels in the same order;
 * otherwise it keeps its fresh initialisation. Returns the layers copied.
 */
export function initFromWeights(model: tfl.LayersModel, architecture: string, labels: readonly string[], init: InitWeights): string[] {
  let weights;
  try {
    weights = decodeWeights(readFileSync(init.file), init.file);
  } catch (error) {
    throw new Error(`initial weights ${init.file}: ${(error as Error).message}`);
  }
  const spec = describeArchitecture(architecture, labels.length);
  const found = weights.network.graph.name;
  if (found !== spec.id) throw new Error(`initial weights ${init.file}: hold a ${found} network, the model is ${spec.id}`);
  const sameHead = weights.labels.length === labels.length && weights.labels.every((label, i) => label === labels[i]);
  return loadNetworkIntoModel(model, weights.network, sameHead ? [] : [LAYER_NAMES.logits]);
}
