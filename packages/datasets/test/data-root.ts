import { existsSync } from "node:fs";
import { join } from "node:path";
import { DATA_ROOT } from "../../../test-support/research-paths.js";

/** The research data is read by path only: MICROEXP_DATA, else <repo root>/../shared/data. */
export { DATA_ROOT };

/** True when the folder exists; warns loudly when it does not, so a skipped test is never silent. */
export function hasData(folder: string): boolean {
  const present = existsSync(join(DATA_ROOT, folder));
  if (!present) console.warn(`[datasets] SKIPPING tests on ${join(DATA_ROOT, folder)}: folder not found (set MICROEXP_DATA)`);
  return present;
}
