// Proves that the pending changesets turn into versions and changelogs, without touching
// this checkout: the repository's files are copied to a scratch folder and the maintainers'
// own `npm run version-packages` (changeset version, then the lockfile) runs there.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { bin, ROOT, run, scratchEnv } from "./run.mjs";

/** `{ file, packages: { name: bump } }` for each changeset waiting in .changeset/. */
function pendingChangesets(root) {
  const dir = join(root, ".changeset");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md") && f !== "README.md")
    .map((file) => {
      const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(dir, file), "utf8"))?.[1] ?? "";
      const packages = Object.fromEntries([...front.matchAll(/^\s*["']?([^"':]+)["']?\s*:\s*(major|minor|patch)\s*$/gm)].map((m) => [m[1], m[2]]));
      return { file, packages };
    });
}

/** name -> { dir, version } for every workspace. */
function workspaces(root) {
  const out = new Map();
  for (const dir of JSON.parse(readFileSync(join(root, "package.json"), "utf8")).workspaces) {
    const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
    out.set(pkg.name, { dir, version: pkg.version });
  }
  return out;
}

/** Hash of the files `changeset version` may write, to prove the real checkout kept them. */
function versionedFilesHash(root) {
  const hash = createHash("sha256");
  const files = ["package.json", "package-lock.json", ...readdirSync(join(root, ".changeset")).map((f) => `.changeset/${f}`)];
  for (const { dir } of workspaces(root).values()) files.push(`${dir}/package.json`, `${dir}/CHANGELOG.md`);
  for (const file of files) hash.update(`${file}\0${existsSync(join(root, file)) ? readFileSync(join(root, file)) : "-"}\0`);
  return hash.digest("hex");
}

function newer(a, b) {
  const [x, y] = [a, b].map((v) => v.split(/[.-]/).slice(0, 3).map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return false;
}

/** Runs the versioning in `scratch` (an empty folder). Returns `{ pkg, problem }`s. */
export function versionDry(scratch) {
  const pending = pendingChangesets(ROOT);
  if (pending.length === 0) {
    console.log("  no pending changesets in .changeset/: nothing to version (npx changeset adds one)");
    return [];
  }
  const before = versionedFilesHash(ROOT);

  // The repository as git sees it: tracked files and new files that are not ignored, from
  // the working tree (no node_modules, dist or data).
  const listed = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { capture: true });
  if (!listed.ok) return [{ pkg: "(repository)", problem: `git ls-files failed: ${listed.stderr}` }];
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(scratch, file));
  }

  // The maintainers' script; the copy has no node_modules, so changeset comes from here,
  // and npm stays offline (only the lockfile's own workspace entries change).
  const env = scratchEnv({ PATH: `${dirname(bin("changeset"))}:${process.env.PATH}`, npm_config_offline: "true" });
  const versioned = run("npm", ["run", "version-packages"], { cwd: scratch, capture: true, env });
  if (!versioned.ok) return [{ pkg: "(changesets)", problem: `npm run version-packages failed in ${scratch} (${versioned.why}):\n${versioned.stderr}${versioned.stdout}` }];

  const problems = [];
  if (versionedFilesHash(ROOT) !== before) problems.push({ pkg: "(repository)", problem: "the dry run changed the real checkout's package.json, CHANGELOG.md or .changeset files" });
  const left = pendingChangesets(scratch).map((c) => c.file);
  if (left.length) problems.push({ pkg: "(changesets)", problem: `changeset version left ${left.join(", ")} unconsumed` });

  const bumped = new Map(pending.flatMap((c) => Object.entries(c.packages)));
  const old = workspaces(ROOT);
  for (const [name, now] of workspaces(scratch)) {
    const was = old.get(name)?.version;
    if (!was) continue;
    if (now.version === was) {
      if (bumped.has(name)) problems.push({ pkg: name, problem: `a changeset asks for a ${bumped.get(name)} bump but the version stayed ${was}` });
      continue;
    }
    if (!newer(now.version, was)) problems.push({ pkg: name, problem: `version went from ${was} to ${now.version}` });
    const changelog = join(scratch, now.dir, "CHANGELOG.md");
    const hasEntry = existsSync(changelog) && readFileSync(changelog, "utf8").includes(`\n## ${now.version}\n`);
    if (!hasEntry) problems.push({ pkg: name, problem: `no "## ${now.version}" entry in ${now.dir}/CHANGELOG.md after changeset version` });
    console.log(`  ${name.padEnd(20)} ${was} -> ${now.version}${hasEntry ? `, ${now.dir}/CHANGELOG.md has ## ${now.version}` : ""}`);
  }

  // The lockfile must still agree with the bumped package.json files, or CI's npm ci fails.
  const ci = run("npm", ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: scratch, capture: true, env });
  if (!ci.ok) problems.push({ pkg: "(lockfile)", problem: `npm ci refuses the versioned package-lock.json (${ci.why}):\n${ci.stderr}` });
  else console.log("  package-lock.json follows the new versions (npm ci --dry-run accepts it)");
  return problems;
}
