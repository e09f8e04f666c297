// `npm run release:dry`: everything a release does except publishing, on a scratch copy, so
// that a broken package is found here and not by its users. It builds, versions the pending
// changesets in a copy of the repository, packs every publishable package, lints the
// tarballs, proves no research data or picture is inside, checks the sizes, and installs and
// runs each tarball in a fresh project. Exits 1 naming the package and the problem.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkContents } from "./release/contents.mjs";
import { lintTarball } from "./release/lint.mjs";
import { packAll } from "./release/pack.mjs";
import { bin, run, seconds } from "./release/run.mjs";
import { checkSizes } from "./release/sizes.mjs";
import { versionDry } from "./release/version-dry.mjs";
import { smokeTarballs } from "./smoke-tarballs.mjs";

const started = performance.now();
const scratch = mkdtempSync(join(tmpdir(), "microexp-release-dry-"));
const problems = [];

async function step(title, body) {
  const t = performance.now();
  console.log(`\n## ${title}\n`);
  const found = await body();
  problems.push(...found);
  console.log(`  (${seconds(t)}${found.length ? `, ${found.length} problem(s)` : ""})`);
}

try {
  console.log(`release dry run; scratch folder ${scratch}`);
  await step("build (turbo)", () => {
    // The tarballs are made from dist/: a failed build stops everything.
    const build = run(bin("turbo"), ["run", "build", "--output-logs=errors-only"]);
    if (!build.ok) throw new Error(`the build failed (${build.why}); nothing was packed`);
    return [];
  });

  await step("changeset version, in a copy of the repository", () => {
    const copy = join(scratch, "repo");
    mkdirSync(copy);
    return versionDry(copy);
  });

  const tarballs = join(scratch, "tarballs");
  mkdirSync(tarballs);
  let packed = [];
  await step("npm pack", () => {
    packed = packAll(tarballs);
    for (const p of packed) console.log(`  ${p.name}@${p.version} -> ${p.tarball}`);
    return [];
  });

  await step("publint and Are the Types Wrong", () => packed.flatMap((p) => lintTarball(p)));
  await step("contents: no research data, no images", () => checkContents(packed));
  await step("sizes", () => checkSizes(packed));
  await step("smoke test: install each tarball in an empty project and use it", () => smokeTarballs(packed, scratch));
} catch (error) {
  problems.push({ pkg: "(release:dry)", problem: error instanceof Error ? error.message : String(error) });
} finally {
  if (process.env.MICROEXP_KEEP_SCRATCH) console.log(`\nscratch folder kept: ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}

if (problems.length) {
  console.error(`\nrelease:dry FAILED (${seconds(started)}), ${problems.length} problem(s):`);
  for (const { pkg, problem } of problems) console.error(`\n  ✗ ${pkg}: ${problem.replace(/\n/g, "\n    ")}`);
  process.exit(1);
}
console.log(`\nrelease:dry passed in ${seconds(started)}: every package builds, versions, packs, lints, and installs and runs from its tarball.`);
