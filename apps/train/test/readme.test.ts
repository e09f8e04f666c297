// Runs the README's ```sh usage block line by line with the built CLI, on generated faces.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeWeights } from "@microexp/infer";
import { cli, tempDir, writeFaces } from "./helpers.js";

const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
const temp = tempDir("readme");
beforeAll(() => writeFaces(join(temp.dir, "faces"), 6));
afterAll(() => temp.remove());

describe("README usage", () => {
  it("runs as written", () => {
    const lines = block.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      // As a clone runs it after `npm ci && npm run build` (apps/demo/test/fresh-clone.test.ts runs npx itself).
      const [npx, program, ...args] = line.split(/\s+/);
      expect([npx, program]).toEqual(["npx", "microexp-train"]);
      const run = cli(temp.dir, args);
      expect(run.stderr, line).toBe("");
      expect(run.status, line).toBe(0);
    }
    for (const file of ["runs/smoke/report.md", "runs/smoke/report.json", "runs/smoke-eval/report.md"]) expect(existsSync(join(temp.dir, file)), file).toBe(true);
    expect(decodeWeights(readFileSync(join(temp.dir, "smoke.mxw"))).labels).toEqual(["happy", "sadness"]);
  });
});

describe("README, many machines", () => {
  it("uses only options the commands have", () => {
    const section = readme.slice(readme.indexOf("## Many machines"));
    const queueBlock = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const helps = new Map<string, string>();
    const helpOf = (command: string) => helps.get(command) ?? helps.set(command, cli(temp.dir, [command, "--help"]).stdout).get(command)!;
    const commands = queueBlock.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("npx microexp-train "));
    expect(commands.map((l) => l.split(/\s+/)[2])).toEqual(["sweep", "worker", "status", "report"]);
    for (const line of commands) {
      const [, , command, ...args] = line.split(/\s+/);
      const help = helpOf(command);
      for (const option of args.filter((a) => a.startsWith("--"))) expect(help, `${command} ${option}`).toContain(option);
    }
    // And the options the notes name.
    for (const [command, option] of [["worker", "--lock-seconds"], ["worker", "--max-stalls"], ["worker", "--exit-when-drained"], ["worker", "--concurrency"], ["sweep", "--attempts"]]) {
      expect(helpOf(command), `${command} ${option}`).toContain(option);
    }
  });
});
