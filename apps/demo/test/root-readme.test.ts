// The root README's Quick start, as written: type-checked by tsc (strict, as an ES module and
// as CommonJS) and run from the repository's root in both module systems.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
// Inside the repository, so that the examples resolve its packages as an app resolves them.
const WORK = join(REPO, "apps/demo/.artifacts/root-readme");
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

const readme = readFileSync(join(REPO, "README.md"), "utf8");
const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("## Try it"));
const esm = /```ts\n([\s\S]*?)```/.exec(quickStart)?.[1];
const cjs = /```js\n([\s\S]*?)```/.exec(quickStart)?.[1];

it("has an ES module and a CommonJS example", () => {
  expect(esm).toContain('from "@microexp/infer/node"');
  expect(cjs).toContain('require("@microexp/infer/node")');
});

it("type-checks both examples with tsc --strict", () => {
  mkdirSync(WORK, { recursive: true });
  writeFileSync(join(WORK, "example.mts"), esm!);
  writeFileSync(join(WORK, "example.cts"), cjs!);
  const tsc = join(REPO, "node_modules/typescript/bin/tsc");
  const args = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--types", "node", "--skipLibCheck"];
  execFileSync(process.execPath, [tsc, ...args, join(WORK, "example.mts"), join(WORK, "example.cts")], { cwd: WORK, encoding: "utf8" });
});

it("runs both and labels the astronaut as the comment says", () => {
  mkdirSync(WORK, { recursive: true });
  writeFileSync(join(WORK, "example.mjs"), esm!);
  writeFileSync(join(WORK, "example.cjs"), cjs!);
  const said = /\/\/ (\w+ \d\.\d{3})\n/.exec(esm!)?.[1];
  expect(said).toMatch(/^happy /);
  for (const file of ["example.mjs", "example.cjs"]) {
    expect(execFileSync(process.execPath, [join(WORK, file)], { cwd: REPO, encoding: "utf8" }), file).toBe(`${said}\n`);
  }
});
