import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The research data is read by path only: MICROEXP_DATA, else <repo root>/../shared/data. */
export const DATA_ROOT = process.env.MICROEXP_DATA ?? join(fileURLToPath(new URL("../../..", import.meta.url)), "..", "shared", "data");

/** True when the folder exists; warns loudly when it does not, so a skipped test is never silent. */
export function hasData(folder: string): boolean {
  const present = existsSync(join(DATA_ROOT, folder));
  if (!present) console.warn(`[datasets] SKIPPING tests on ${join(DATA_ROOT, folder)}: folder not found (set MICROEXP_DATA)`);
  return present;
}
