// What apps install: the packed package, every shipped weights file included, stays under 1 MB and
// depends on nothing.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { MODEL_ZOO } from "../src/model-zoo.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const LIMIT = 1_000_000;

it("packs under 1 MB, installs under 1 MB, with no dependencies", () => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
  expect(pkg.dependencies ?? {}).toEqual({});
  expect(pkg.peerDependencies ?? {}).toEqual({});
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }));
  const files: string[] = packed.files.map((f: { path: string }) => f.path);
  console.log(`@microexp/infer: packed ${packed.size} bytes, installed ${packed.unpackedSize} bytes, ${files.length} files`);
  for (const { file } of Object.values(MODEL_ZOO)) expect(files).toContain(`weights/${file}`); // every shipped model, the default among them
  expect(files).toContain("dist/index.js");
  expect(files).toContain("dist/index.cjs");
  expect(files.some((f) => f.startsWith("test/") || f.startsWith("src/"))).toBe(false);
  expect(packed.size).toBeLessThan(LIMIT);
  // No dependencies, so the package is its whole install closure.
  expect(packed.unpackedSize).toBeLessThan(LIMIT);
});
