// Runs every ```ts example of README.md as written, on a generated folder dataset. The examples
// import the BUILT packages (the fold worker runs from dist/).
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { decodeWeights } from "@microexp/infer";
import { readmeBlocks, runLoggingModule } from "../../../test-support/readme.js";
import { tempDir, uniform } from "./helpers.js";

const packages = fileURLToPath(new URL("../..", import.meta.url));
const temp = tempDir("readme");
const blocks = readmeBlocks(join(packages, "distill", "README.md"), "ts");
const ENV = { FACES_DIR: join(temp.dir, "faces"), RUN_DIR: join(temp.dir, "runs"), WEIGHTS_FILE: join(temp.dir, "microexpnet.mxw") };

/** 6 gray 64x64 faces per class: "happy" bright on the left, "sadness" bright on the right. */
async function writeFaces(): Promise<void> {
  const random = uniform(3);
  for (const [k, name] of ["happy", "sadness"].entries()) {
    mkdirSync(join(ENV.FACES_DIR, name), { recursive: true });
    for (let i = 0; i < 6; i++) {
      const pixels = Buffer.alloc(64 * 64);
      for (let p = 0; p < pixels.length; p++) pixels[p] = ((p % 64 < 32) === (k === 0) ? 200 : 50) + Math.floor(random() * 30);
      await sharp(pixels, { raw: { width: 64, height: 64, channels: 1 } }).png().toFile(join(ENV.FACES_DIR, name, `face${i}.png`));
    }
  }
}

beforeAll(async () => {
  await writeFaces();
  Object.assign(process.env, ENV);
});

afterAll(() => {
  for (const name of Object.keys(ENV)) delete process.env[name];
  vi.restoreAllMocks();
  temp.remove();
});

/** Runs README block `index` with "@microexp/<name>" pointing at packages/<name>/dist; returns what it logged. */
function run(index: number): Promise<string[]> {
  const code = blocks[index].replace(/"@microexp\/([a-z]+)"/g, (_, name: string) => JSON.stringify(join(packages, name, "dist", "index.js")));
  return runLoggingModule(join(temp.dir, `readme-example-${index}.ts`), code);
}

describe("README examples", () => {
  it("has the two examples", () => {
    expect(blocks).toHaveLength(2);
  });

  it("cross-validates a distilled MicroExpNet", async () => {
    const lines = await run(0);
    expect(lines.filter((l) => /^fold [01]: \d+\.\d %$/.test(l))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/^crop-averaged accuracy \d+\.\d\d ± \d+\.\d\d % \((tensorflow|wasm|cpu)\)$/);
  });

  it("trains one model and writes a weights file that @microexp/infer reads", async () => {
    const lines = await run(1);
    expect(lines.filter((l) => /^epoch [123]: loss \d/.test(l))).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/^trained on (tensorflow|wasm|cpu), final loss \d/);
    const weights = decodeWeights(readFileSync(ENV.WEIGHTS_FILE), ENV.WEIGHTS_FILE);
    expect(weights.labels).toEqual(["happy", "sadness"]);
    expect(weights.network.graph.name).toBe("p12-XXS");
  });
});
