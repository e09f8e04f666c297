import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Writes to a temporary name and renames, so a reader never sees half a file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

/** A name safe in a folder name: letters, digits, ".", "_", "-". */
export function safeName(text: string): string {
  return text.replace(/[^\w.-]+/g, "_").replace(/^[._]+/, "") || "run";
}
