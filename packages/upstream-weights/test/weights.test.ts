// The two files are the authors' checkpoints as @microexp/infer shipped them before: each
// decodes, has a card that states its facts, answers the recorded logits to the bit on both
// engines, and ships in the tarball with its card.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createJsEngine, createWasmEngine, decodeWeights, graphParameterCount } from "@microexp/infer";
import { describe, expect, it } from "vitest";
import { expectCardToState } from "../../../test-support/model-card.js";
import { fixtureInputs } from "../../../test-support/shipped-logits.js";
import { UPSTREAM_MODELS, upstreamModel, upstreamModelUrl, type UpstreamModelName } from "../src/index.js";
import { upstreamModelPath } from "../src/node.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixture = JSON.parse(readFileSync(new URL("fixtures/shipped-logits.json", import.meta.url), "utf8")) as {
  logits: Record<string, { js: number[]; wasm: number[] }>;
};

describe.each(Object.entries(UPSTREAM_MODELS))("%s", (name, { file }) => {
  const path = upstreamModelPath(name as UpstreamModelName);

  it("is found by name, as a path and as a URL", () => {
    expect(path).toBe(`${root}weights/${file}`);
    expect(upstreamModelUrl(name as UpstreamModelName).href).toBe(`file://${path}`);
    expect(existsSync(path)).toBe(true);
  });

  it("has a model card that states the file's own facts", () => {
    const card = `${root}weights/${file.replace(/\.mxw$/, ".md")}`;
    expect(existsSync(card), `${card} is missing: every shipped model needs a card`).toBe(true);
    const bytes = readFileSync(path);
    const { network, labels, model } = decodeWeights(bytes, file);
    expectCardToState(readFileSync(card, "utf8"), {
      name, file, bytes, architecture: network.graph.name, parameters: graphParameterCount(network.graph), labels, version: model.version,
    });
  });

  it("answers the recorded logits to the bit, on both engines", async () => {
    const { network } = decodeWeights(readFileSync(path), file);
    const images = fixtureInputs();
    expect(Array.from(createJsEngine(network).forward(images, 4))).toEqual(fixture.logits[file].js);
    expect(Array.from((await createWasmEngine(network))!.forward(images, 4))).toEqual(fixture.logits[file].wasm);
  });
});

it("names the models it has when asked for one it does not", () => {
  expect(() => upstreamModel("microexpnet-fer2013" as UpstreamModelName)).toThrow(
    /Unknown upstream model "microexpnet-fer2013". This package has: microexpnet-ckplus-upstream, microexpnet-oulu-upstream/,
  );
});

it("packs the weights with their cards", () => {
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }));
  const files: string[] = packed.files.map((f: { path: string }) => f.path);
  for (const { file } of Object.values(UPSTREAM_MODELS)) {
    expect(files).toContain(`weights/${file}`);
    expect(files).toContain(`weights/${file.replace(/\.mxw$/, ".md")}`);
  }
});
