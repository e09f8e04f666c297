// Runs every package's benchmark, one after the other (never in parallel: timings on a
// 2-core machine are only comparable when nothing else runs). Each prints its own table.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const only = process.argv.slice(2);
let failed = false;
for (const group of ["packages", "apps"]) {
  for (const name of readdirSync(join(root, group)).sort()) {
    const script = join(root, group, name, "bench", "index.mjs");
    if (!existsSync(script) || (only.length && !only.includes(name))) continue;
    console.log(`\n## ${group}/${name}\n`);
    const run = spawnSync(process.execPath, [script], { stdio: "inherit", cwd: join(root, group, name) });
    if (run.status !== 0) failed = true;
  }
}
process.exit(failed ? 1 : 0);
