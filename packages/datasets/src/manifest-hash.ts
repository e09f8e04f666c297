import { createHash } from "node:crypto";
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
