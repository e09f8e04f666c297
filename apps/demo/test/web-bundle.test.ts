// What the built page ships: one weights file (the default model the page uses), never the
// research-licensed CK+ and Oulu-CASIA models, and the size the README gives for it.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const HERE = fileURLToPath(new URL("..", import.meta.url));
const ASSETS = join(HERE, "dist/web/assets");

it("bundles only the default weights, at the size the README states", () => {
  const weights = readdirSync(ASSETS).filter((name) => name.endsWith(".mxw"));
  expect(weights).toHaveLength(1);
  expect(weights[0]).toMatch(/^microexpnet-fer2013-[\w-]+\.mxw$/);
  const kb = Math.round(statSync(join(ASSETS, weights[0])).size / 1000);
  expect(readFileSync(join(HERE, "README.md"), "utf8")).toContain(`(\`microexpnet-fer2013.mxw\`, ${kb} KB,`);
});
