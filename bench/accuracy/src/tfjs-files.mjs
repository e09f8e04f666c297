// Loading the peers' weights from the files their npm packages ship: never a URL.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The weights named by a tfjs weights manifest (groups of `paths` + `weights`), read from disk. */
export function readWeightGroups(manifest, folder) {
  const weightSpecs = [];
  const buffers = [];
  for (const group of manifest) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths) buffers.push(readFileSync(join(folder, path)));
  }
  const total = buffers.reduce((sum, b) => sum + b.length, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    weightData.set(b, at);
    at += b.length;
  }
  return { weightSpecs, weightData: weightData.buffer };
}

/** A tfjs IOHandler for a graph model's model.json and its .bin files on disk. */
export function fileModelHandler(modelJsonPath) {
  return {
    async load() {
      const json = JSON.parse(readFileSync(modelJsonPath, "utf8"));
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new Error(`${modelJsonPath}: not a tfjs model.json (no modelTopology or weightsManifest)`);
      const { weightSpecs, weightData } = readWeightGroups(json.weightsManifest, dirname(modelJsonPath));
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs,
        weightData,
      };
    },
  };
}

/** A weight map (name -> tensor) from a weights-manifest.json and its .bin files, as face-api loads. */
export function readWeightMap(tf, manifestPath) {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  if (!Array.isArray(manifest)) throw new Error(`${manifestPath}: not a tfjs weights manifest (expected an array of groups)`);
  const { weightSpecs, weightData } = readWeightGroups(manifest, dirname(manifestPath));
  return tf.io.decodeWeights(weightData, weightSpecs);
}
