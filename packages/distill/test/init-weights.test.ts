// Fine-tuning: a network started from a weights file holds that file's weights (the output
// layer only when the labels match), and training from it uses them.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeArchitecture, encodeWeights } from "@microexp/infer";
import { buildFamilyModel, networkFromModel } from "@microexp/models";
import { selectBackend } from "../src/backend/index.js";
import { initFromWeights } from "../src/init-weights.js";
import { buildTrainable } from "../src/trainable.js";
import { trainStudent } from "../src/train.js";
import { tempDir, tinyCropSet } from "./helpers.js";

const temp = tempDir("init");
afterAll(() => temp.remove());
beforeAll(async () => {
  await selectBackend("wasm");
});

/** A p12-M network with seeded random weights, saved with `labels`. */
function savedNetwork(labels: string[], seed: number): string {
  const model = buildFamilyModel("p12-M", { numClasses: labels.length, seed });
  const file = join(temp.dir, `p12-M-${labels.join("-")}-${seed}.mxw`);
  writeFileSync(file, encodeWeights(networkFromModel(model, describeArchitecture("p12-M", labels.length)), { labels }));
  model.dispose();
  return file;
}

const layerValues = (model: { getLayer(name: string): { getWeights(): Array<{ dataSync(): ArrayLike<number> }> } }, layer: string) =>
  model.getLayer(layer).getWeights().map((w) => Array.from(w.dataSync()));

describe("initFromWeights", () => {
  it("copies every layer when the labels match, and keeps a fresh head when they do not", () => {
    const file = savedNetwork(["a", "b", "c"], 11);
    const source = buildFamilyModel("p12-M", { numClasses: 3, seed: 11 });

    const same = buildFamilyModel("p12-M", { numClasses: 3, seed: 99 });
    expect(initFromWeights(same, "p12-M", ["a", "b", "c"], { file, sha256: "x" })).toEqual(["conv1", "conv2", "fc1", "logits"]);
    for (const layer of ["conv1", "conv2", "fc1", "logits"]) expect(layerValues(same, layer)).toEqual(layerValues(source, layer));

    const other = buildFamilyModel("p12-M", { numClasses: 3, seed: 99 });
    const fresh = layerValues(other, "logits");
    expect(initFromWeights(other, "p12-M", ["c", "b", "a"], { file, sha256: "x" })).toEqual(["conv1", "conv2", "fc1"]);
    expect(layerValues(other, "fc1")).toEqual(layerValues(source, "fc1"));
    expect(layerValues(other, "logits")).toEqual(fresh);
    [source, same, other].forEach((m) => m.dispose());
  });

  it("names the file when it holds another network or is not a weights file", () => {
    const file = savedNetwork(["a", "b"], 3);
    const model = buildFamilyModel("microexpnet", { numClasses: 2, seed: 1 });
    expect(() => initFromWeights(model, "microexpnet", ["a", "b"], { file, sha256: "x" })).toThrow(`initial weights ${file}: hold a p12-M network, the model is p12-XXS`);
    const junk = join(temp.dir, "junk.mxw");
    writeFileSync(junk, "not weights");
    expect(() => initFromWeights(model, "microexpnet", ["a", "b"], { file: junk, sha256: "x" })).toThrow(/initial weights .*junk\.mxw: .*not a microexp weights file/);
    model.dispose();
  });

  it("takes a training checkpoint, and refuses one made for pixels scaled otherwise", async () => {
    const data = tinyCropSet(8, 2);
    const checkpointPath = join(temp.dir, "raw-pixels.ckpt");
    const config = { architecture: "microexpnet", epochs: 1, seed: 2, batchSize: 16, learningRate: 1e-3, dropout: 0 };
    const trained = await trainStudent(data, config, { checkpointPath });
    const raw = buildFamilyModel("microexpnet", { numClasses: 2, seed: 9 });
    initFromWeights(raw, "microexpnet", data.labelNames, { file: checkpointPath, sha256: "x" });
    expect(layerValues(raw, "conv1")).toEqual(layerValues(trained.model as ReturnType<typeof buildFamilyModel>, "conv1"));
    const unit = buildFamilyModel("microexpnet", { numClasses: 2, seed: 9, inputScale: 1 / 255 });
    expect(() => initFromWeights(unit, "microexpnet", data.labelNames, { file: checkpointPath, sha256: "x" }))
      .toThrow(/raw-pixels\.ckpt: trained on pixels times 1, the model takes pixels times 0\.0039/);
    [trained.model, raw, unit].forEach((m) => m.dispose());
  });

  it("takes the checkpoint of a network that scales its pixels itself (dsnet), with a fresh head for other labels", async () => {
    const data = tinyCropSet(4, 2);
    const checkpointPath = join(temp.dir, "dsnet.ckpt");
    const trained = await trainStudent(data, { architecture: "dsnet", epochs: 1, seed: 3, batchSize: 4, learningRate: 1e-3, dropout: 0 }, { checkpointPath });
    const fresh = buildTrainable("dsnet", { numClasses: 2, seed: 8, dropout: 0 });
    const copied = initFromWeights(fresh, "dsnet", ["other", "labels"], { file: checkpointPath, sha256: "x" });
    const head = fresh.layers[fresh.layers.length - 1].name;
    expect(copied).not.toContain(head);
    const firstConv = trained.model.layers.find((l) => l.weights.length > 0)!.name;
    expect(copied).toContain(firstConv);
    expect(layerValues(fresh, firstConv)).toEqual(layerValues(trained.model, firstConv));
    [trained.model, fresh].forEach((m) => m.dispose());
  });

  it("trains from the given weights: a network started from a trained one starts with its low loss", async () => {
    const data = tinyCropSet(16, 2);
    const config = { architecture: "p12-M", epochs: 4, seed: 5, batchSize: 16, learningRate: 1e-3, dropout: 0 };
    const trained = await trainStudent(data, config);
    const file = join(temp.dir, "trained.mxw");
    writeFileSync(file, encodeWeights(networkFromModel(trained.model, describeArchitecture("p12-M", 2)), { labels: data.labelNames }));
    trained.model.dispose();
    const scratch = await trainStudent(data, { ...config, epochs: 1 });
    const resumed = await trainStudent(data, { ...config, epochs: 1, init: { file, sha256: "t" } });
    expect(resumed.history[0].loss).toBeLessThan(scratch.history[0].loss * 0.5);
    scratch.model.dispose();
    resumed.model.dispose();
  });
});
