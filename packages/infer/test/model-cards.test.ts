// Every shipped weights file has a model card beside it (weights/<name>.md) that describes
// that very file: its size, hash, architecture, parameter count, labels and version, as the
// file's own header says. The cards ship in the npm package.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { expectCardToState } from "../../../test-support/model-card.js";
import { graphParameterCount } from "../src/graph/analyze.js";
import { MODEL_ZOO } from "../src/model-zoo.js";
import { decodeWeights } from "../src/weights-format.js";

const root = fileURLToPath(new URL("..", import.meta.url));

describe.each(Object.entries(MODEL_ZOO))("the model card of %s", (name, { file }) => {
  const card = `${root}weights/${file.replace(/\.mxw$/, ".md")}`;

  it("exists and states the file's own facts", () => {
    expect(existsSync(card), `${card} is missing: every shipped model needs a card`).toBe(true);
    const bytes = readFileSync(`${root}weights/${file}`);
    const { network, labels, model } = decodeWeights(bytes, file);
    expectCardToState(readFileSync(card, "utf8"), {
      name, file, bytes, architecture: network.graph.name, parameters: graphParameterCount(network.graph), labels, version: model.version,
    });
  });
});

it("packs the cards with the weights", () => {
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }));
  const files: string[] = packed.files.map((f: { path: string }) => f.path);
  for (const { file } of Object.values(MODEL_ZOO)) {
    expect(files).toContain(`weights/${file}`);
    expect(files).toContain(`weights/${file.replace(/\.mxw$/, ".md")}`);
  }
});
