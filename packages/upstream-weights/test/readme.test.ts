// Runs the README's Node example as written, on @microexp/infer's fixture face: type-checked by
// tsc (strict, Node's module rules), then run as an ES module.
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { readmeBlocks, typeCheckAndRunExamples } from "../../../test-support/readme.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const face = JSON.stringify(join(root, "../infer/test/fixtures/astronaut-face.jpg"));

it("the README's Node example type-checks and runs", () => {
  const example = readmeBlocks(join(root, "README.md"), "ts").find((code) => code.includes('from "@microexp/upstream-weights/node"'));
  expect(example, "a ```ts block importing @microexp/upstream-weights/node").toBeDefined();
  // Inside the package, so that "@microexp/infer", this package and "sharp" resolve as in an app.
  const dir = mkdtempSync(join(root, ".readme-"));
  try {
    const out = typeCheckAndRunExamples(dir, { "example.mts": example!.replace('"face.jpg"', face) });
    const lines = out["example.mts"].trim().split("\n");
    expect(lines[0]).toBe("neutral anger contempt disgust fear happy sadness surprise");
    expect(lines[1]).toMatch(/^(neutral|anger|contempt|disgust|fear|happy|sadness|surprise) \d\.\d{3}$/);
    expect(lines).toHaveLength(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
