// Runs the README's Node example as written, on @microexp/infer's fixture face: type-checked by
// tsc (strict, Node's module rules), then run as an ES module.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { readmeBlocks } from "../../../test-support/readme.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const ts = require("typescript") as typeof import("typescript");
const tsc = require.resolve("typescript/bin/tsc");
const face = JSON.stringify(join(root, "../infer/test/fixtures/astronaut-face.jpg"));

it("the README's Node example type-checks and runs", () => {
  const example = readmeBlocks(join(root, "README.md"), "ts").find((code) => code.includes('from "@microexp/upstream-weights/node"'));
  expect(example, "a ```ts block importing @microexp/upstream-weights/node").toBeDefined();
  // Inside the package, so that "@microexp/infer", this package and "sharp" resolve as in an app.
  const dir = mkdtempSync(join(root, ".readme-"));
  try {
    writeFileSync(join(dir, "example.mts"), example!.replace('"face.jpg"', face));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", noEmit: true, skipLibCheck: true, types: ["node"] },
      files: ["example.mts"],
    }));
    try {
      execFileSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8" });
    } catch (error) {
      throw new Error(`tsc rejects the README's example:\n${(error as { stdout: string }).stdout}`);
    }
    const js = ts.transpileModule(readFileSync(join(dir, "example.mts"), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(join(dir, "example.mjs"), js);
    const lines = execFileSync(process.execPath, [join(dir, "example.mjs")], { encoding: "utf8" }).trim().split("\n");
    expect(lines[0]).toBe("neutral anger contempt disgust fear happy sadness surprise");
    expect(lines[1]).toMatch(/^(neutral|anger|contempt|disgust|fear|happy|sadness|surprise) \d\.\d{3}$/);
    expect(lines).toHaveLength(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
