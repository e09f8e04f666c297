// Shared by the packages' README tests: a README's code blocks, and running one as a module.
import { readFileSync, writeFileSync } from "node:fs";
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
