import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

describe("npm run bench (scripts/bench.mjs)", () => {
  it("runs every bench script of this package, not only bench/index.mjs", async () => {
    const { stdout } = await run(process.execPath, [join(root, "scripts/bench.mjs"), "--list", "infer"], { cwd: root });
    expect(stdout.trim().split("\n")).toEqual(["packages/infer/bench/classify.mjs", "packages/infer/bench/kernel.mjs"]);
  });
});
