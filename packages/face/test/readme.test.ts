// Runs the README's usage example (the ```ts block), so the documentation cannot rot.
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it, vi } from "vitest";
import { readmeBlocks } from "../../../test-support/readme.js";
import * as face from "../src/index.js";
import * as faceNode from "../src/node.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

function readmeExample(): string {
  const [example] = readmeBlocks(`${packageDir}README.md`, "ts");
  if (example === undefined) throw new Error("README.md has no ```ts block");
  return example;
}

describe("README", () => {
  it("runs the usage example and prints what it says", async () => {
    // Imports become parameters; the rest is the README's code, transpiled as written.
    const body = readmeExample().replace(/^import .*$/gm, "");
    const js = ts.transpileModule(`(async () => {${body}\n})()`, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const cwd = process.cwd();
    process.chdir(packageDir);
    try {
      const run = new Function(...Object.keys(face), ...Object.keys(faceNode), `return ${js}`) as (...args: unknown[]) => Promise<void>;
      await run(...Object.values(face), ...Object.values(faceNode));
      const lines = log.mock.calls;
      expect(lines).toEqual([
        [[{ x: 176, y: 66, width: 95, height: 95, neighbors: 16 }]],
        [[{ x: 176, y: 66, width: 95, height: 95, neighbors: 16 }]],
        [[{ id: 1, box: { x: 176, y: 66, width: 95, height: 95 }, exact: true }]],
        [{ x: 176, y: 66, width: 95, height: 95 }, 7056],
        [{ x: 158, y: 194, width: 215, height: 215 }, 8],
      ]);
    } finally {
      process.chdir(cwd);
      log.mockRestore();
    }
  });
});
