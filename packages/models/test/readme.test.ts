// Runs the README's usage example as written, with the checkpoint path pointed at the
// authors' published checkpoint.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { expect, it } from "vitest";
import { readmeBlocks } from "../../../test-support/readme.js";
import { UPSTREAM_MODELS } from "../../../test-support/research-paths.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const checkpoint = join(UPSTREAM_MODELS, "CK");
const present = existsSync(`${checkpoint}/checkpoint`);
if (!present) console.warn(`SKIPPED: the README example needs the authors' checkpoint at ${checkpoint}`);

it.skipIf(!present)("the README's usage example runs", () => {
  const [example] = readmeBlocks(`${root}README.md`, "ts");
  expect(example).toBeDefined();
  const script = `${root}readme-example.tmp.mjs`;
  writeFileSync(script, example!.replace('"microexpnet-upstream/Models/CK"', JSON.stringify(checkpoint)));
  try {
    const output = execFileSync(process.execPath, [script], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    expect(output).toContain("p12-XXS 65000 parameters");
    expect(output).toContain("neutral, anger, contempt, disgust, fear, happy, sadness, surprise");
    expect(output).toContain("p12-XXS [ 1, 8 ]");
  } finally {
    rmSync(script, { force: true });
  }
});
