// Runs the README's Node examples as written, on the committed fixture face: the TypeScript
// (ES module) one is type-checked by tsc (strict, Node's module rules) and run; the
// CommonJS one is type-checked (checkJs) and run with require().
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
    writeFileSync(join(dir, "example.mts"), esm!.replace('"face.jpg"', face));
    writeFileSync(join(dir, "example.cjs"), cjs!.replace('"face.jpg"', face));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", noEmit: true,
        allowJs: true, checkJs: true, skipLibCheck: true, types: ["node"],
      },
      files: ["example.mts", "example.cjs"],
    }));
    try {
      execFileSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8" });
    } catch (error) {
      throw new Error(`tsc rejects the README's examples:\n${(error as { stdout: string }).stdout}`);
    }
    const js = ts.transpileModule(readFileSync(join(dir, "example.mts"), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(join(dir, "example.mjs"), js);
    const fromEsm = execFileSync(process.execPath, [join(dir, "example.mjs")], { encoding: "utf8" });
    const fromCjs = execFileSync(process.execPath, [join(dir, "example.cjs")], { encoding: "utf8" });
    expectLabelled(fromEsm);
    expect(fromCjs).toBe(fromEsm);
    console.log(fromEsm);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
