import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
// The repository's script, shared with @microexp/face; it works on the folder it is run from.
const script = join(packageDir, "../../scripts/build-wasm.mjs");
const args = ["src/wasm/kernel.generated.ts", "KERNEL_WASM_BASE64"];

describe("scripts/build-wasm.mjs", () => {
  it("is deterministic: a fresh compile reproduces src/wasm/kernel.generated.ts byte for byte", async () => {
    const { stdout } = await run(process.execPath, [script, ...args, "--check"], { cwd: packageDir });
    expect(stdout).toContain("is up to date");
  });

  // A scratch package inside build/ (gitignored).
  const scratch = join(packageDir, "build", `asc-failure-${process.pid}`);
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
    await rmdir(dirname(scratch)).catch(() => undefined); // build/ too, unless something else is in it
  });

  it("fails loudly, naming the file, when asc reports an error", async () => {
    await mkdir(join(scratch, "assembly"), { recursive: true });
    await mkdir(join(scratch, "src/wasm"), { recursive: true });
    await writeFile(join(scratch, "assembly/index.ts"), "export function broken(): i32 {\n  return undefinedName;\n}\n");
    const failure = await run(process.execPath, [script, ...args], { cwd: scratch }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(`asc failed to compile ${join(scratch, "assembly/index.ts")}`);
    expect(failure?.stderr).toContain("undefinedName");
    expect(existsSync(join(scratch, "src/wasm/kernel.generated.ts"))).toBe(false);
  });
});
