// Runs the README's command-line example as written (with `npx microexp` as the built
// executable, which is what npx runs) and checks that it prints the table the README shows.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const HERE = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(HERE, "dist/cli.js");

if (!existsSync(BIN)) console.warn(`\n*** SKIPPING the README test: ${BIN} is not built (npm run build -w @microexp/demo) ***\n`);

it.skipIf(!existsSync(BIN))("the README's command-line example prints the README's table and writes the copies", async () => {
  const readme = await readFile(join(HERE, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Command line"));
  const command = /```sh\n(npx microexp [^\n]+)\n```/.exec(section)?.[1];
  const shown = /```text\n([\s\S]*?)```/.exec(section)?.[1];
  expect(command).toBeDefined();
  expect(shown).toBeDefined();
  const args = command!.replace(/^npx microexp /, "").split(/\s+/);
  const annotated = join(HERE, args[args.indexOf("--annotate") + 1]);
  await rm(annotated, { recursive: true, force: true });

  const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: HERE });
  expect(stdout).toBe(shown);
  expect(stderr).toBe("4 file(s), 4 face(s), 0 failed; annotated copies in .artifacts/annotated\n");
  for (const name of ["astronaut.png", "london/happy-001_08.jpg", "london/happy-004_08.jpg", "london/neutral-001_03.jpg"]) {
    expect(existsSync(join(annotated, "fixtures", name)), name).toBe(true);
  }
});
