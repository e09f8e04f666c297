// Shared by the packages' README tests: a README's code blocks, and running one as a module.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { vi } from "vitest";

/** The bodies of the ```<lang> blocks of a README file, in order. */
export function readmeBlocks(readmeFile: string, lang: string): string[] {
  const fence = new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g");
  return [...readFileSync(readmeFile, "utf8").matchAll(fence)].map((match) => match[1]);
}

/** Writes `code` to `file`, imports it (so it runs), and returns the lines it logged with console.log. */
export async function runLoggingModule(file: string, code: string): Promise<string[]> {
  writeFileSync(file, code);
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import(pathToFileURL(file).href);
    return log.mock.calls.map((args) => args.join(" "));
  } finally {
    log.mockRestore();
  }
}

/**
 * Type-checks a README's Node examples as an app would (tsc, strict, Node's module rules) and
 * runs each with Node: `files` maps a file name in `dir` (.mts, or .cjs, checked with checkJs)
 * to its code; a .mts runs transpiled to .mjs. Returns each file's standard output. `dir` must
 * sit inside the package, so that its imports resolve as in an app.
 */
export function typeCheckAndRunExamples(dir: string, files: Record<string, string>): Record<string, string> {
  const require = createRequire(import.meta.url);
  const ts = require("typescript") as typeof import("typescript");
  for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", noEmit: true,
      allowJs: true, checkJs: true, skipLibCheck: true, types: ["node"],
    },
    files: Object.keys(files),
  }));
  try {
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", dir], { encoding: "utf8" });
  } catch (error) {
    throw new Error(`tsc rejects the README's examples:\n${(error as { stdout: string }).stdout}`);
  }
  const outputs: Record<string, string> = {};
  for (const [name, code] of Object.entries(files)) {
    let file = join(dir, name);
    if (name.endsWith(".mts")) {
      file = file.replace(/\.mts$/, ".mjs");
      writeFileSync(file, ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
    }
    outputs[name] = execFileSync(process.execPath, [file], { encoding: "utf8" });
  }
  return outputs;
}
