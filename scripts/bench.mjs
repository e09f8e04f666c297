// Runs every package's benchmarks, one after the other (never in parallel: timings on a
// 2-core machine are only comparable when nothing else runs). A bench is any *.mjs file
// directly in a package's bench/ folder (index.mjs first, then by name); each prints its own
// table. `node scripts/bench.mjs infer face` runs only those packages; `--list` prints the
// scripts it would run, one a line, and runs none.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = process.argv.slice(2);
const listOnly = args.includes("--list");
const only = args.filter((a) => !a.startsWith("--"));

/** The bench scripts of one package folder: index.mjs first, then the others by name. */
function benchScripts(folder) {
  const dir = join(folder, "bench");
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir).filter((name) => name.endsWith(".mjs")).sort();
  return [...names.filter((n) => n === "index.mjs"), ...names.filter((n) => n !== "index.mjs")].map((n) => join(dir, n));
}

let failed = false;
for (const group of ["packages", "apps"]) {
  for (const name of readdirSync(join(root, group)).sort()) {
    if (only.length && !only.includes(name)) continue;
    const folder = join(root, group, name);
    for (const script of benchScripts(folder)) {
      if (listOnly) {
        console.log(script.slice(root.length));
        continue;
      }
      console.log(`\n## ${group}/${name}: bench/${script.split("/").pop()}\n`);
      const run = spawnSync(process.execPath, [script], { stdio: "inherit", cwd: folder });
      if (run.status !== 0) failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
