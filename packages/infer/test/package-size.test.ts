// What apps install: the packed package, default weights included, stays under 1 MB and
// depends on nothing.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const LIMIT = 1_000_000;

it("packs under 1 MB, installs under 1 MB, with no dependencies", () => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));
  expect(pkg.dependencies ?? {}).toEqual({});
  expect(pkg.peerDependencies ?? {}).toEqual({});
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" }));
  const files: string[] = packed.files.map((f: { path: string }) => f.path);
  console.log(`@microexp/infer: packed ${packed.size} bytes, installed ${packed.unpackedSize} bytes, ${files.length} files`);
  expect(files).toContain("weights/microexpnet-fer2013.mxw"); // the default
  expect(files).toContain("dist/index.js");
  expect(files).toContain("dist/index.cjs");
  expect(files.some((f) => f.startsWith("test/") || f.startsWith("src/"))).toBe(false);
  expect(packed.size).toBeLessThan(LIMIT);
  // No dependencies, so the package is its whole install closure.
  expect(packed.unpackedSize).toBeLessThan(LIMIT);
});
