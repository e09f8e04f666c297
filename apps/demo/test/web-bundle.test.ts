// What the built page ships: one weights file (the default model the page uses), never the
// research-licensed CK+ and Oulu-CASIA models, and the size the README gives for it.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_MODEL, zooEntry } from "@microexp/infer";
import { expect, it } from "vitest";

const HERE = fileURLToPath(new URL("..", import.meta.url));
const ASSETS = join(HERE, "dist/web/assets");

it("bundles only the default weights, at the size the README states", () => {
  const weights = readdirSync(ASSETS).filter((name) => name.endsWith(".mxw"));
  expect(weights).toHaveLength(1);
  const file = zooEntry(DEFAULT_MODEL).file;
  expect(weights[0]).toMatch(new RegExp(`^${file.replace(/\.mxw$/, "")}-[\\w-]+\\.mxw$`));
  const kb = Math.round(statSync(join(ASSETS, weights[0])).size / 1000);
  expect(readFileSync(join(HERE, "README.md"), "utf8")).toContain(`(\`${file}\`, ${kb} KB,`);
});
