// `npm run bench:accuracy`: installs the accuracy bench's own dependencies (the JavaScript
// peers, from bench/accuracy/package-lock.json) when they are missing or older than the
// lockfile, then runs bench/accuracy/run.mjs with this script's arguments. The peers are never
// dependencies of the root or of a published package, so `npm ci` at the root stays lean.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { dataFolder, londonFolder, skipMessage } from "../bench/accuracy/src/data.mjs";

const bench = new URL("../bench/accuracy/", import.meta.url).pathname;

const fer = join(dataFolder(), "fer2013");
if (!existsSync(join(fer, "manifest.csv")) && !existsSync(londonFolder())) {
  console.warn(skipMessage("the accuracy bench", `${fer} (and ${londonFolder()})`, "Set MICROEXP_DATA to the folder that holds fer2013/."));
  process.exit(0);
}

const installed = join(bench, "node_modules", ".package-lock.json");
const lockfile = join(bench, "package-lock.json");
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lockfile).mtimeMs) {
  console.log("bench/accuracy: installing its dependencies (face-api, human, tfjs) from its lockfile ...");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const install = spawnSync(npm, ["ci", "--prefix", bench, "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (install.status !== 0) {
    console.error(`bench/accuracy: \`npm ci --prefix ${bench}\` failed (status ${install.status})`);
    process.exit(install.status ?? 1);
  }
}

const run = spawnSync(process.execPath, [join(bench, "run.mjs"), ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(run.status ?? 1);
