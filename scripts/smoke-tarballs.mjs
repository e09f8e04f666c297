// `npm run smoke:tarballs`: installs every packed package into a fresh, empty project, as a
// user would from the registry, and uses it there: `import` and `require` in Node, and
// @microexp/infer in Chromium too. The @microexp tarballs a package depends on are installed
// beside it (they are not on the registry yet); third-party dependencies come from the
// registry. `npm run release:dry` runs this on the tarballs it packed; alone, it packs first.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { packAll } from "./release/pack.mjs";
import { ROOT, run, scratchEnv, seconds } from "./release/run.mjs";
import { CHROMIUM, inferInChromium } from "./release/smoke-browser.mjs";

const PHOTO = join(ROOT, "packages/face/test/fixtures/astronaut.png");
/** The astronaut's face as @microexp/face finds it (see packages/face/README.md). */
const FACE_BOX = { x: 176, y: 66, width: 95, height: 95 };
const RUNNER = fileURLToPath(new URL("./release/smoke-runner.mjs", import.meta.url));
/** Scores of the tarball's runtime must equal the workspace's: same code, same weights. */
const TOLERANCE = 1e-5;

/**
 * The fixture as raw RGBA, decoded here with the repository's sharp, so that the scratch
 * projects need nothing but the package under test.
 */
async function writeFixtures(dir) {
  const sharp = createRequire(join(ROOT, "packages/face/package.json"))("sharp");
  const { data, info } = await sharp(PHOTO).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  mkdirSync(dir, { recursive: true });
  const pixels = { file: join(dir, "astronaut.rgba"), width: info.width, height: info.height, channels: 4, box: FACE_BOX };
  writeFileSync(pixels.file, data);
  const fixtures = { photo: PHOTO, pixels };
  const file = join(dir, "fixtures.json");
  writeFileSync(file, JSON.stringify(fixtures, null, 2));
  return { file, fixtures };
}

/** What the workspace's own build says about the fixture: the tarball must say the same. */
async function reference(pixels) {
  const { loadModel } = await import("@microexp/infer/node");
  const classifier = await loadModel();
  return classifier.classify({ ...pixels, data: new Uint8Array(readFileSync(pixels.file)) }, pixels.box);
}

/**
 * Packages a user installs beside one of ours to use it as the smoke test does, at the range
 * the package itself names: face's optional peer sharp (to decode files in Node), and a tfjs
 * backend for models (its code builds networks; the app picks the backend).
 */
const USER_INSTALLS = {
  "@microexp/face": [["sharp", "peerDependencies"]],
  "@microexp/models": [["@tensorflow/tfjs-backend-cpu", "devDependencies"]],
};

/** Our own tarballs a user installs beside a package that has no code to run alone (weights). */
const USED_WITH = {
  "@microexp/upstream-weights": ["@microexp/infer"],
};

function userInstalls(name) {
  const manifest = JSON.parse(readFileSync(join(ROOT, "packages", name.replace(/^@.*\//, ""), "package.json"), "utf8"));
  return (USER_INSTALLS[name] ?? []).map(([dependency, field]) => `${dependency}@${manifest[field][dependency]}`);
}

function differs(prediction, want) {
  if (prediction.label !== want.label) return `label ${prediction.label}, the workspace build says ${want.label}`;
  if (prediction.scores.length !== want.scores.length) return `${prediction.scores.length} scores, the workspace build gives ${want.scores.length}`;
  const worst = Math.max(...want.scores.map((s, i) => Math.abs(s.probability - prediction.scores[i].probability)));
  return worst > TOLERANCE ? `scores differ from the workspace build's by ${worst.toExponential(2)}` : null;
}

function describe(prediction) {
  return `${prediction.label} ${(100 * prediction.probability).toFixed(1)} %`;
}

/** @microexp names a package needs, itself included, from the packed manifests (and USED_WITH). */
function closure(name, byName) {
  const out = new Set([name, ...(USED_WITH[name] ?? [])]);
  for (const dep of Object.keys(byName.get(name).manifest.dependencies ?? {})) {
    if (byName.has(dep)) for (const d of closure(dep, byName)) out.add(d);
  }
  return out;
}

/** Bytes of every file under a folder (what a user's disk gets). */
function folderBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath ?? entry.path, entry.name)).size;
  }
  return total;
}

/** Runs the smoke tests on `packed` (from packAll) in `scratch`. Returns `{ pkg, problem }`s. */
export async function smokeTarballs(packed, scratch) {
  const problems = [];
  const env = scratchEnv();
  const byName = new Map(packed.map((p) => [p.name, p]));
  const { file: fixturesFile, fixtures } = await writeFixtures(join(scratch, "fixtures"));
  const want = await reference(fixtures.pixels);
  console.log(`  the workspace build labels the astronaut ${describe(want)}`);

  for (const p of packed) {
    const started = performance.now();
    const fail = (problem) => problems.push({ pkg: p.name, problem });
    const project = join(scratch, p.name.replace(/^@.*\//, ""));
    mkdirSync(project, { recursive: true });
    const init = run("npm", ["init", "-y"], { cwd: project, capture: true, env });
    if (!init.ok) { fail(`npm init failed: ${init.stderr}`); continue; }
    const tarballs = [...closure(p.name, byName)].map((n) => byName.get(n).tarball);
    // --prefer-offline: third-party packages come from npm's cache when it has them (CI's npm ci
    // just filled it), else from the registry.
    const install = run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...tarballs, ...userInstalls(p.name)], { cwd: project, capture: true, env });
    if (!install.ok) { fail(`npm install of ${tarballs.map((t) => relative(scratch, t)).join(" ")} failed (${install.why}):\n${install.stderr}`); continue; }
    const notes = [`installed ${tarballs.length} tarball(s)`];

    if (p.name === "@microexp/infer") {
      // The runtime promises no dependencies: the installed tree is the package and nothing else.
      const ls = run("npm", ["ls", "--all", "--parseable"], { cwd: project, capture: true, env });
      const installed = ls.stdout.split("\n").filter(Boolean).slice(1).map((path) => relative(project, path));
      if (!ls.ok) fail(`npm ls failed (${ls.why}): ${ls.stderr}`);
      if (installed.join() !== "node_modules/@microexp/infer") fail(`installs more than itself: ${installed.join(", ")}`);
      const bytes = folderBytes(join(project, "node_modules"));
      if (bytes > 1_000_000) fail(`node_modules is ${bytes.toLocaleString("en-US")} B after installing it, over 1,000,000 B`);
      notes.push(`npm ls: only itself, node_modules ${bytes.toLocaleString("en-US")} B`);
    }

    copyFileSync(RUNNER, join(project, "smoke.mjs"));
    for (const form of ["esm", "cjs"]) {
      const node = run(process.execPath, ["smoke.mjs", form, p.name, fixturesFile], { cwd: project, capture: true, env, timeout: 180_000 });
      const last = node.stdout.trim().split("\n").pop() ?? "";
      let answer;
      try {
        answer = JSON.parse(last);
      } catch {
        answer = { ok: false, error: `no answer (${node.why}):\n${node.stdout}${node.stderr}` };
      }
      if (!node.ok || !answer.ok) { fail(`${form === "esm" ? "import" : "require"}: ${answer.error ?? node.why}`); continue; }
      const result = answer.result;
      if (p.name === "@microexp/infer") {
        const wrong = differs(result, want);
        if (wrong) fail(`${form}: ${wrong}`);
        notes.push(`${form}: ${describe(result)} (sum ${result.sum.toFixed(6)}, ${result.engine})`);
      } else if (p.name === "@microexp/face") notes.push(`${form}: face ${JSON.stringify(result.faces[0])}`);
      else if (p.name === "@microexp/models") notes.push(`${form}: ${result.architecture} ${result.parameters.toLocaleString("en-US")} parameters`);
      else if (p.name === "@microexp/distill") notes.push(`${form}: KD loss ${result.loss.toFixed(4)} on ${result.backend}`);
      else if (p.name === "@microexp/upstream-weights") notes.push(`${form}: ${result.models.join("; ")}`);
      else if (p.name === "@microexp/datasets") notes.push(`${form}: folds ${result.random.join("+")} (random), ${result.subject.join("+")} (subject)`);
      else notes.push(`${form}: ok`);
    }

    if (p.name === "@microexp/infer") {
      if (!existsSync(CHROMIUM)) {
        const message = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set MICROEXP_CHROMIUM)`;
        if (process.env.CI) fail(`browser smoke test: ${message}`);
        else console.warn(`\n${"!".repeat(88)}\n!! WARNING: SKIPPED the browser smoke test: ${message}\n${"!".repeat(88)}\n`);
      } else {
        try {
          const browser = await inferInChromium({ packageDir: join(project, "node_modules/@microexp/infer"), pixels: fixtures.pixels });
          for (const r of browser.runs) {
            const wrong = differs(r, want);
            if (wrong) fail(`Chromium (${r.engine}): ${wrong}`);
            notes.push(`Chromium ${r.engine}: ${describe(r)}`);
          }
          notes.push(`weights from ${browser.modelUrl.replace(/^https?:\/\/[^/]+/, "")}, ${browser.requests.length} requests, all to 127.0.0.1`);
        } catch (error) {
          fail(`Chromium: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    console.log(`  ${p.name} (${seconds(started)}): ${notes.join("; ")}`);
  }
  return problems;
}

// Alone: pack the built packages into a scratch folder and smoke-test them.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const scratch = mkdtempSync(join(tmpdir(), "microexp-smoke-"));
  let problems;
  try {
    const tarballs = join(scratch, "tarballs");
    mkdirSync(tarballs);
    const packed = packAll(tarballs);
    problems = await smokeTarballs(packed, scratch);
  } finally {
    if (process.env.MICROEXP_KEEP_SCRATCH) console.log(`scratch folder kept: ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
  for (const { pkg, problem } of problems) console.error(`FAIL ${pkg}: ${problem}`);
  console.log(problems.length ? `\nsmoke test: ${problems.length} problem(s)` : "\nsmoke test: every tarball installs and works");
  process.exit(problems.length ? 1 : 0);
}
