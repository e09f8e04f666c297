// Runs the BUILT command line (dist/cli.js) in a temporary folder, on generated faces.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { seededRandom as uniform } from "../../../test-support/random.js";

export const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
export const REPO = fileURLToPath(new URL("../../..", import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(cwd: string, args: string[]): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 110_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the CLI without waiting; for interrupting it. */
export function startCli(cwd: string, args: string[]) {
  return spawn(process.execPath, [CLI, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
}

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `microexp-train-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A folder dataset of `perClass` 64x64 gray PNGs per class that differ visibly: "happy" faces are
 * bright on the left, "sadness" faces on the right, with noise.
 */
export async function writeFaces(root: string, perClass: number): Promise<void> {
  const random = uniform(5);
  for (const [k, name] of ["happy", "sadness"].entries()) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(64 * 64);
      for (let p = 0; p < pixels.length; p++) pixels[p] = ((p % 64 < 32) === (k === 0) ? 190 : 60) + Math.floor(random() * 40);
      await sharp(pixels, { raw: { width: 64, height: 64, channels: 1 } }).png().toFile(join(root, name, `face${String(i).padStart(2, "0")}.png`));
    }
  }
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/** A report with what is legitimately run-specific masked: times, speeds, command lines, folders. */
const RUN_ROWS = new Set(["command", "working folder", "time", "run folder"]);
const RUN_COLUMNS = new Set(["student time", "samples/s", "run folder"]);
function normaliseMarkdown(markdown: string): string {
  let masked = new Set<number>();
  let inTable = false;
  return markdown.split("\n").map((line) => {
    if (!line.startsWith("|")) {
      inTable = false;
      return line;
    }
    const cells = line.split(" | ").map((c) => c.replace(/^\| ?| ?\|$/g, ""));
    if (!inTable) {
      inTable = true;
      masked = new Set(cells.flatMap((c, i) => (RUN_COLUMNS.has(c) ? [i] : [])));
    }
    if (cells.length === 2 && RUN_ROWS.has(cells[0])) cells[1] = "*";
    for (const i of masked) if (!/^-+$/.test(cells[i])) cells[i] = "*";
    return `| ${cells.join(" | ")} |`;
  }).join("\n");
}

function normaliseJson(json: Record<string, unknown>): unknown {
  const copy = structuredClone(json) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  delete copy.run;
  delete copy.runDir;
  delete copy.cacheDir;
  delete copy.sweepDir;
  for (const fold of copy.results?.folds ?? []) {
    delete fold.trainSeconds;
    delete fold.samplesPerSecond;
  }
  for (const cell of copy.cells ?? []) delete cell.runDir;
  return copy;
}

/** `<dir>/<base>.json` and `.md`, run-specific parts masked: two runs of one configuration compare equal. */
export function readReport(dir: string, base: string): { json: unknown; markdown: string } {
  return {
    json: normaliseJson(JSON.parse(readFileSync(join(dir, `${base}.json`), "utf8")) as Record<string, unknown>),
    markdown: normaliseMarkdown(readFileSync(join(dir, `${base}.md`), "utf8")),
  };
}
