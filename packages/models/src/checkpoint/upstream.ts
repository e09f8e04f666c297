/**
 * Import of the paper authors' published MicroExpNet checkpoints (TF 1.x, MIT license) into
 * a network the runtime can run. Their variables carry the names the runtime uses
 * (wc1, bc1, wc2, bc2, wfc, bfc, wo, bo) in the same TF layouts; Adam's slots are skipped.
 */
import type { ArchitectureId, NetworkWeights, TensorName } from "@microexp/infer";
import { describeArchitecture, familyNetwork, tensorShapes, TENSOR_NAMES } from "@microexp/infer";
import { readBundleIndex, readBundleTensor } from "./tensor-bundle.js";

/** Label order of the authors' models (CK+ and Oulu-CASIA alike: 8 outputs). */
export const UPSTREAM_LABELS = ["neutral", "anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise"];

export interface BundleImportOptions {
  /** Names the checkpoint in errors. */
  source?: string;
  /**
   * The family member. By default it is inferred from the tensor shapes; shapes cannot tell
   * v from p1, nor p2 from p12, so the authors' published members (v, p12) are assumed.
   */
  architecture?: string;
}

/** Builds a network from a bundle's .index bytes and its single data shard. */
export function networkFromBundle(index: Uint8Array, data: Uint8Array, options: BundleImportOptions = {}): NetworkWeights {
  const source = options.source ?? "checkpoint";
  const entries = readBundleIndex(index, `${source}.index`);
  const missing = TENSOR_NAMES.filter((name) => !entries.has(name));
  if (missing.length) throw new Error(`${source}: not a MicroExpNet checkpoint: no tensor ${missing.join(", ")}`);
  const shards = new Set(TENSOR_NAMES.map((name) => entries.get(name)!.shard));
  if (shards.size !== 1 || !shards.has(0)) throw new Error(`${source}: tensors spread over several data shards are not supported`);
  const wfc = entries.get("wfc")!.shape;
  const wo = entries.get("wo")!.shape;
  const id = options.architecture ?? inferArchitecture(wfc[0], wfc[1]);
  if (!id) throw new Error(`${source}: fc1 shape [${wfc}] matches no member of the MicroExpNet family`);
  const spec = describeArchitecture(id, wo[1]);
  const shapes = tensorShapes(spec);
  const tensors = {} as Record<TensorName, Float32Array>;
  for (const name of TENSOR_NAMES) {
    const tensor = readBundleTensor(entries.get(name)!, data, `${source}.data-00000-of-00001`);
    if (tensor.shape.join(",") !== shapes[name].join(",")) {
      throw new Error(`${source}: tensor ${name} has shape [${tensor.shape}], ${id} needs [${shapes[name]}]`);
    }
    tensors[name] = tensor.values;
  }
  return familyNetwork(spec, tensors);
}

/** The family member whose flatten size and fc1 width are these (conv widths are fixed). */
function inferArchitecture(flatSize: number, fc1: number): ArchitectureId | undefined {
  for (const variant of ["p12", "v"] as const) {
    for (const size of ["XXS", "XS", "S", "M"] as const) {
      const spec = describeArchitecture(`${variant}-${size}`);
      if (spec.flatSize === flatSize && spec.fc1 === fc1) return spec.id;
    }
  }
  return undefined;
}
