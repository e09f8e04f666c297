// Runs the README's Node examples as written, on the committed fixture face: the TypeScript
// (ES module) one is type-checked by tsc (strict, Node's module rules) and run; the
// CommonJS one is type-checked (checkJs) and run with require().
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { readmeBlocks, typeCheckAndRunExamples } from "../../../test-support/readme.js";

const root = fileURLToPath(new URL("..", import.meta.url));

const readme = join(root, "README.md");
const esm = readmeBlocks(readme, "ts").find((code) => code.includes('from "@microexp/infer/node"'));
const cjs = readmeBlocks(readme, "js").find((code) => code.includes('require("@microexp/infer/node")'));
const face = JSON.stringify(join(root, "test/fixtures/astronaut-face.jpg"));

function expectLabelled(output: string): void {
  const lines = output.trim().split("\n");
  // The default model's 7 FER2013 labels: the answer, then every label with its probability.
  expect(lines[0]).toMatch(/^(angry|disgust|fear|happy|sad|surprise|neutral) \d\.\d{3}$/);
  expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]);
}

it("the README's Node examples type-check and run, as an ES module and in CommonJS", () => {
  expect(esm, "a ```ts block importing @microexp/infer/node").toBeDefined();
  expect(cjs, "a ```js block requiring @microexp/infer/node").toBeDefined();
  // Inside the package, so that "@microexp/infer" and "sharp" resolve as in an app.
  const dir = mkdtempSync(join(root, ".readme-"));
  try {
    const out = typeCheckAndRunExamples(dir, { "example.mts": esm!.replace('"face.jpg"', face), "example.cjs": cjs!.replace('"face.jpg"', face) });
    const [fromEsm, fromCjs] = [out["example.mts"], out["example.cjs"]];
    expectLabelled(fromEsm);
    expect(fromCjs).toBe(fromEsm);
    console.log(fromEsm);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
