// The READMEs' commands as a new user runs them: a fresh clone of the committed tree, `npm ci`,
// then `npx microexp ...` and `npx microexp-train ...`. The clone is built by copying this
// checkout's dist/ folders (the same sources; a full build would take minutes), so the test
// covers what install links and what the commands find, not the build itself.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const WORKSPACES = ["packages", "apps"].flatMap((group) => readdirSync(join(REPO, group)).map((name) => `${group}/${name}`));

let clone: string;
beforeAll(() => {
  clone = join(mkdtempSync(join(tmpdir(), "microexp-clone-")), "microexp");
  execFileSync("git", ["clone", "--quiet", REPO, clone]);
  // --offline: from npm's cache (filled by this checkout's own install); no network in tests.
  execFileSync("npm", ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: clone, stdio: "pipe" });
}, 180_000);
afterAll(() => rmSync(join(clone, ".."), { recursive: true, force: true }));

function npx(cwd: string, ...args: string[]) {
  // --no-install: a command that is not linked fails here instead of asking the registry.
  const run = spawnSync("npx", ["--no-install", ...args], { cwd, encoding: "utf8", timeout: 110_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("a fresh clone", () => {
  it("links both commands at install, and before the build they say to build first", () => {
    for (const command of ["microexp", "microexp-train"]) {
      const run = npx(clone, command, "--help");
      expect(run.status, command).toBe(1);
      expect(run.stderr).toContain("is missing: run `npm run build` first");
    }
  });

  it("runs the READMEs' commands verbatim once built", () => {
    for (const workspace of WORKSPACES) {
      if (existsSync(join(REPO, workspace, "dist"))) cpSync(join(REPO, workspace, "dist"), join(clone, workspace, "dist"), { recursive: true });
    }
    // The root README: `npx microexp predict photo.jpg [--json] [--annotate out/]`.
    const root = npx(clone, "microexp", "predict", "apps/demo/test/fixtures/astronaut.png", "--json");
    expect(root.status, root.stderr).toBe(0);
    expect((JSON.parse(root.stdout) as Array<{ faces: Array<{ label: string }> }>)[0].faces[0].label).toBe("happy");
    // The demo README's command, in its folder, as written there.
    const readme = readFileSync(join(REPO, "apps/demo/README.md"), "utf8");
    const command = /^npx microexp predict .*$/m.exec(readme)?.[0];
    expect(command).toBeDefined();
    const demo = npx(join(clone, "apps/demo"), ...command!.split(/\s+/).slice(1));
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toContain("test/fixtures/astronaut.png");
    // The train README's commands start with `npx microexp-train`.
    const train = npx(clone, "microexp-train", "--help");
    expect(train.status, train.stderr).toBe(0);
    expect(train.stdout).toContain("Usage: microexp-train");
  });
});

describe("turbo's inputs", () => {
  it("hold no git-ignored file (a file that tests or builds write would change every hash after them)", () => {
    // The generated WebAssembly modules are git-ignored and written by the builds (and infer's tests).
    for (const [pkg, file] of [["infer", "src/wasm/kernel.generated.ts"], ["face", "src/detect/kernel.generated.ts"], ["distill", "src/backend/kernels.generated.ts"]]) {
      if (!existsSync(join(REPO, "packages", pkg, file))) execFileSync("npm", ["run", "-s", "build:wasm"], { cwd: join(REPO, "packages", pkg), stdio: "pipe" });
    }
    const dry = JSON.parse(execFileSync("npx", ["turbo", "run", "build", "typecheck", "--dry=json"], { cwd: REPO, encoding: "utf8", maxBuffer: 64 << 20 })) as {
      tasks: Array<{ taskId: string; directory: string; inputs: Record<string, string> }>;
    };
    const inputs = dry.tasks.flatMap((task) => Object.keys(task.inputs).map((file) => join(task.directory, file)));
    expect(inputs.length).toBeGreaterThan(100);
    const check = spawnSync("git", ["check-ignore", "--stdin"], { cwd: REPO, input: inputs.join("\n"), encoding: "utf8" });
    expect(check.stdout.trim()).toBe("");
  });
});
