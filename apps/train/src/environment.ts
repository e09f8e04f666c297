// What every report records about where and how it ran: the command line, the package
// versions, and the machine.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, cpus, platform, release, totalmem, arch } from "node:os";

const PACKAGES = [
  "@microexp/train-app", "@microexp/distill", "@microexp/models", "@microexp/datasets", "@microexp/face", "@microexp/infer",
  "@tensorflow/tfjs-core", "@tensorflow/tfjs-layers", "@tensorflow/tfjs-backend-wasm", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-node",
] as const;

/** Versions of the packages that take part in training, read from their package.json (absent ones are left out). */
export function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      const file = require.resolve(`${name}/package.json`);
      out[name] = (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
    } catch {
      // Not installed (tfjs-node is optional).
    }
  }
  return out;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
}

export function machine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
  };
}

export interface CommandLine {
  /** The arguments after the program name. */
  argv: string[];
  /** As one line that a shell would run again. */
  line: string;
  cwd: string;
}

export function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

export function commandLine(argv: readonly string[]): CommandLine {
  return { argv: [...argv], line: ["microexp-train", ...argv].map(quote).join(" "), cwd: process.cwd() };
}
