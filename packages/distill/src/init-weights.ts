/**
 * Starting a network from trained weights (fine-tuning): e.g. a teacher pre-trained on
 * FER2013's 28,709 in-the-wild faces, then trained on a CK+ fold. The paper's teacher starts
 * from ImageNet the same way.
 */
import { readFileSync } from "node:fs";
import type * as tfl from "@tensorflow/tfjs-layers";
import { decodeWeights, describeArchitecture, resolveArchitectureId } from "@microexp/infer";
import { inputScaleOf, isFamilyMember, LAYER_NAMES, loadNetworkIntoModel } from "@microexp/models";
import * as tf from "@tensorflow/tfjs-core";
import { isCheckpointFile, readCheckpoint } from "./checkpoint.js";

export interface InitWeights {
  /**
   * A .mxw weights file of the same family member, or a finished training run's checkpoint
   * (any network, batch norm statistics included).
   */
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
  if (isCheckpointFile(init.file)) return initFromCheckpoint(model, architecture, labels, init);
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

/** A family member's id whatever alias names it ("microexpnet" is "p12-XXS"); other names as they are. */
function canonical(name: string): string {
  try {
    return resolveArchitectureId(name);
  } catch {
    return name;
  }
}

/**
 * From a training checkpoint: the network the run selected (its best weights, else its last),
 * tensor by tensor in the model's order (trainable, then state such as batch norm statistics).
 */
function initFromCheckpoint(model: tfl.LayersModel, architecture: string, labels: readonly string[], init: InitWeights): string[] {
  const fail = (problem: string): never => {
    throw new Error(`initial weights ${init.file}: ${problem}`);
  };
  const saved = readCheckpoint(init.file)!;
  let made: { architecture?: string; classes?: string[]; inputScale?: number };
  try {
    made = JSON.parse(saved.configKey) as typeof made;
  } catch {
    return fail("its configuration is not readable");
  }
  if (canonical(String(made.architecture)) !== canonical(architecture)) fail(`hold a ${String(made.architecture)} network, the model is ${architecture}`);
  // A family member's checkpoint holds conv1 as trained, for pixels scaled as its run scaled
  // them (no inputScale: the paper's raw pixels). Other networks rescale inside themselves.
  if (isFamilyMember(architecture) && (made.inputScale ?? 1) !== inputScaleOf(model)) fail(`trained on pixels times ${made.inputScale ?? 1}, the model takes pixels times ${inputScaleOf(model)}`);
  const sameHead = made.classes?.length === labels.length && made.classes.every((label, i) => label === labels[i]);
  const head = model.layers[model.layers.length - 1];
  const headWeights = new Set(head.weights.map((w) => w.read().id));
  const targets = [...model.trainableWeights, ...model.nonTrainableWeights].map((w) => w.read() as tf.Variable);
  const source = saved.best.length > 0 ? saved.best : saved.model;
  if (source.length !== targets.length) fail(`holds ${source.length} tensors, the model has ${targets.length}`);
  const copied = new Set<string>();
  tf.tidy(() => targets.forEach((target, i) => {
    if (!sameHead && headWeights.has(target.id)) return;
    const from = source[i];
    if (from.shape.join("x") !== target.shape.join("x")) fail(`tensor ${i} (${from.name}) is [${from.shape}], the model's is [${target.shape}]`);
    target.assign(tf.tensor(from.values, target.shape));
  }));
  for (const layer of model.layers) if (layer.weights.length > 0 && (sameHead || layer !== head)) copied.add(layer.name);
  return [...copied];
}
