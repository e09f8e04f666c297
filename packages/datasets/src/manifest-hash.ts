import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { DatasetError } from "./errors.js";
import type { ManifestEntry } from "./manifest.js";

/**
 * SHA-256 (hex) over the sorted lines "path label subject" of a manifest's entries. Splits record it,
 * so a split is never applied to data other than the data it was made from.
 */
export function hashManifest(manifest: { entries: readonly ManifestEntry[] }): string {
  const lines = manifest.entries.map((e) => `${e.path} ${e.label} ${e.subject ?? ""}`);
  lines.sort();
  return createHash("sha256").update(lines.join("\n"), "utf8").digest("hex");
}

/**
 * SHA-256 (hex) over the sorted lines "path label subject sha256-of-the-file's-bytes": names the
 * data by what the images hold, so that a cache or a resumed run keyed on it is never reused
 * for other pictures under the same names. Reads every file once.
 */
export async function hashManifestContents(manifest: { entries: readonly ManifestEntry[] }, options: { concurrency?: number } = {}): Promise<string> {
  const lines = new Array<string>(manifest.entries.length);
  let next = 0;
  const worker = async () => {
    while (next < manifest.entries.length) {
      const i = next++;
      const e = manifest.entries[i];
      let bytes: Buffer;
      try {
        bytes = await readFile(e.file);
      } catch (error) {
        throw new DatasetError(e.file, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
      lines[i] = `${e.path} ${e.label} ${e.subject ?? ""} ${createHash("sha256").update(bytes).digest("hex")}`;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  lines.sort();
  return createHash("sha256").update(lines.join("\n"), "utf8").digest("hex");
}
