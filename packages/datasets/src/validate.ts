import { stat } from "node:fs/promises";
import { DatasetError } from "./errors.js";
import type { Manifest } from "./manifest.js";

export interface ValidateOptions {
  /** Also check that every entry's file exists and is a file (one stat per entry). */
  checkFiles?: boolean;
}

/** Throws a DatasetError naming the first bad entry: bad label, duplicate path or (optionally) missing file. */
export async function validateManifest(manifest: Manifest, options: ValidateOptions = {}): Promise<void> {
  const names = manifest.labelNames;
  if (names.length === 0) throw new DatasetError(manifest.root, "manifest has no label names");
  if (new Set(names).size !== names.length) {
    throw new DatasetError(manifest.root, `label names are not unique: ${names.join(", ")}`);
  }
  const seen = new Set<string>();
  for (const entry of manifest.entries) {
    if (entry.path.length === 0) throw new DatasetError(manifest.root, "an entry has an empty path");
    if (seen.has(entry.path)) throw new DatasetError(entry.path, "duplicate path in the manifest");
    seen.add(entry.path);
    if (!Number.isInteger(entry.label) || entry.label < 0 || entry.label >= names.length) {
      throw new DatasetError(entry.path, `label ${entry.label} is outside 0..${names.length - 1}`);
    }
    if (names[entry.label] !== entry.labelName) {
      throw new DatasetError(
        entry.path,
        `label name "${entry.labelName}" does not match label ${entry.label} ("${names[entry.label]}")`,
      );
    }
  }
  if (options.checkFiles) {
    await Promise.all(
      manifest.entries.map(async (entry) => {
        const info = await stat(entry.file).catch(() => null);
        if (!info) throw new DatasetError(entry.file, "file not found");
        if (!info.isFile()) throw new DatasetError(entry.file, "not a file");
      }),
    );
  }
}
