import { isImageFile, isSystemFile } from "./file-names.js";
import type { SkippedItem } from "./manifest.js";

/** The skip record for a file that is not part of a dataset's layout, with the most telling reason. */
export function skipFile(path: string, name: string): SkippedItem {
  if (isSystemFile(name)) return { path, reason: "system-file" };
  if (isImageFile(name)) return { path, reason: "unrecognised-name" };
  return { path, reason: "not-an-image" };
}

export function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}
