// The command line on the committed fixture photos and on broken files, in process (runCli)
// and once through the built executable.
import { detectFaces } from "@microexp/face";
import { decodeImageFile } from "@microexp/face/node";
import { loadClassifierFromFile } from "@microexp/infer/node";
import { upstreamModelPath } from "@microexp/upstream-weights/node";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { overlaySvg } from "../src/cli/annotate.js";
import { EXIT_FILE_FAILED, EXIT_OK, EXIT_USAGE, runCli } from "../src/cli/program.js";
import { ASTRONAUT, FIXTURES, LONDON, PHOTOS, loadModels } from "./helpers/models.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...args: string[]): Promise<Run> {
  let stdout = "", stderr = "";
  const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

interface JsonFace {
  box: { x: number; y: number; width: number; height: number };
  label: string;
  probability: number;
  scores: Record<string, number>;
}
type JsonOutcome = { file: string; width: number; height: number; faces: JsonFace[]; annotated?: string } | { file: string; error: string };

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "microexp-cli-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** What the packages themselves say about a photo: the paper's detection, then the classifier. */
async function expected(path: string): Promise<{ box: JsonFace["box"]; label: string; probability: number }[]> {
  const { cascade, classifier } = await loadModels();
  const image = await decodeImageFile(path);
  const boxes = detectFaces(image, cascade, { scaleFactor: 1.3, minNeighbors: 5 }).map(({ x, y, width, height }) => ({ x, y, width, height }));
  return classifier.classifyFaces(image, boxes).map((p, i) => ({ box: boxes[i], label: p.label, probability: p.probability }));
}

describe("microexp predict", () => {
  it("prints a table: every fixture photo, its face box, top label and probability", async () => {
    const { code, stdout, stderr } = await run("predict", ...PHOTOS);
    expect(code).toBe(EXIT_OK);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^file\s+face\s+box \(x,y,w,h\)\s+label\s+probability$/);
    expect(lines).toHaveLength(1 + PHOTOS.length);
    for (const [i, photo] of PHOTOS.entries()) {
      const [face] = await expected(photo);
      const { x, y, width, height } = face.box;
      expect(lines[i + 1].split(/\s+/)).toEqual([photo, "1", `${x},${y},${width},${height}`, face.label, face.probability.toFixed(3)]);
    }
    expect(stderr).toBe(`${PHOTOS.length} file(s), ${PHOTOS.length} face(s), 0 failed\n`);
  });

  it("--json gives every score, and walks directories (skipping files that are not images)", async () => {
    const { code, stdout } = await run("predict", "--json", FIXTURES);
    expect(code).toBe(EXIT_OK);
    const outcomes = JSON.parse(stdout) as JsonOutcome[];
    // The walk is sorted and recursive; london/LICENSE.md and README.md are not images.
    expect(outcomes.map((o) => o.file)).toEqual([ASTRONAUT, ...LONDON].map((p) => p.replace(FIXTURES, join(FIXTURES.slice(0, -1), "/"))));
    for (const outcome of outcomes) {
      if ("error" in outcome) throw new Error(outcome.error);
      const want = await expected(outcome.file);
      expect(outcome.faces.map((f) => ({ box: f.box, label: f.label, probability: f.probability }))).toEqual(want);
      for (const face of outcome.faces) {
        // The default model's labels (FER2013), in its output order.
        expect(Object.keys(face.scores)).toEqual(["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]);
        expect(Object.values(face.scores).reduce((a, b) => a + b)).toBeCloseTo(1, 6);
        expect(face.scores[face.label]).toBe(face.probability);
      }
    }
  });

  it("reports broken files by name and goes on with the batch; the exit code says some failed", async () => {
    const dir = join(tmp, "mixed");
    await mkdir(dir, { recursive: true });
    const good = join(dir, "astronaut.png");
    await copyFile(ASTRONAUT, good);
    const truncated = join(dir, "truncated.jpg");
    await writeFile(truncated, (await readFile(LONDON[0])).subarray(0, 4000));
    const text = join(dir, "text.png");
    await writeFile(text, "this is not a picture\n");
    const empty = join(dir, "empty.jpg");
    await writeFile(empty, "");
    const missing = join(tmp, "no-such-photo.jpg");

    const { code, stdout, stderr } = await run("predict", dir, missing);
    expect(code).toBe(EXIT_FILE_FAILED);
    expect(stdout).toContain(good);
    expect(stdout.trimEnd().split("\n")).toHaveLength(2);
    expect(stderr).toContain(`microexp: ${truncated}: not a readable image`);
    expect(stderr).toContain(`microexp: ${text}: not a readable image`);
    expect(stderr).toContain(`microexp: ${empty}: the file is empty`);
    expect(stderr).toContain(`microexp: ${missing}: no such file or directory`);
    expect(stderr).toContain("5 file(s), 1 face(s), 4 failed");

    const json = await run("predict", "--json", truncated, good);
    expect(json.code).toBe(EXIT_FILE_FAILED);
    const outcomes = JSON.parse(json.stdout) as JsonOutcome[];
    expect(outcomes[0]).toEqual({ file: truncated, error: expect.stringMatching(new RegExp(`^${truncated}: not a readable image \\(.+\\)$`)) });
    expect(outcomes[1]).toMatchObject({ file: good, faces: [{ label: expect.any(String) }] });
  });

  it("--annotate writes copies with the boxes drawn, keeping names, formats and sizes", async () => {
    const out = join(tmp, "annotated");
    const { code, stdout } = await run("predict", "--json", "--annotate", out, ASTRONAUT, join(FIXTURES, "london"));
    expect(code).toBe(EXIT_OK);
    const outcomes = JSON.parse(stdout) as JsonOutcome[];
    expect(outcomes.map((o) => ("annotated" in o ? o.annotated : o))).toEqual([
      join(out, "astronaut.png"),
      ...LONDON.map((p) => join(out, "london", p.split("/").pop()!)),
    ]);
    for (const outcome of outcomes) {
      if ("error" in outcome) throw new Error(outcome.error);
      const copy = sharp(outcome.annotated!);
      const meta = await copy.metadata();
      expect([meta.width, meta.height, meta.format]).toEqual([outcome.width, outcome.height, outcome.file.endsWith(".png") ? "png" : "jpeg"]);
      // The box's left edge is drawn in green in the copy, and is not green in the original.
      const { x, y, height } = outcome.faces[0].box;
      const pixel = async (s: sharp.Sharp) => [...(await s.extract({ left: x, top: y + Math.round(height / 2), width: 1, height: 1 }).removeAlpha().raw().toBuffer())];
      const [r, g, b] = await pixel(copy);
      // #1fdd6b, give or take what JPEG does to a 2-pixel line.
      expect(g - r).toBeGreaterThan(90);
      expect(g - b).toBeGreaterThan(50);
      expect(await pixel(sharp(outcome.file))).not.toEqual([r, g, b]);
    }
  });

  it("--weights picks another weights file; a bad one stops the command with its name", async () => {
    const oulu = upstreamModelPath("microexpnet-oulu-upstream");
    const { code, stdout } = await run("predict", "--json", "--weights", oulu, ASTRONAUT);
    expect(code).toBe(EXIT_OK);
    const [outcome] = JSON.parse(stdout) as JsonOutcome[];
    if ("error" in outcome) throw new Error(outcome.error);
    const image = await decodeImageFile(ASTRONAUT);
    const want = (await loadClassifierFromFile(oulu)).classify(image, outcome.faces[0].box);
    expect(outcome.faces[0].probability).toBe(want.probability);
    expect(outcome.faces[0].label).toBe(want.label);

    const bad = join(tmp, "bad.mxw");
    await writeFile(bad, "MXNW but not really");
    const failed = await run("predict", "--weights", bad, ASTRONAUT);
    expect(failed.code).toBe(EXIT_USAGE);
    expect(failed.stderr).toMatch(new RegExp(`^microexp: ${bad}: `));
    expect(failed.stdout).toBe("");
  });

  it("detector options change what is found; bad values are usage errors", async () => {
    // With no neighbours needed, the raw windows around the face are not merged away.
    const loose = await run("predict", "--json", "--min-neighbors", "0", ASTRONAUT);
    const faces = (JSON.parse(loose.stdout) as { faces: JsonFace[] }[])[0].faces;
    expect(faces.length).toBeGreaterThan(1);
    const big = await run("predict", "--json", "--min-size", "200", ASTRONAUT);
    expect((JSON.parse(big.stdout) as { faces: JsonFace[] }[])[0].faces).toEqual([]);
    for (const args of [["--scale-factor", "1"], ["--min-neighbors", "-1"], ["--min-size", "0"], ["--cascade", "nope"]]) {
      const bad = await run("predict", ...args, ASTRONAUT);
      expect(bad.code, args.join(" ")).toBe(EXIT_USAGE);
      expect(bad.stderr).toContain(args[0]);
    }
    expect((await run("predict")).code).toBe(EXIT_USAGE);
    expect((await run("frobnicate")).code).toBe(EXIT_USAGE);
  });

  it("a face-less image gets a row that says so, and counts as done, not failed", async () => {
    const blank = join(tmp, "blank.png");
    await sharp({ create: { width: 200, height: 150, channels: 3, background: "#808080" } }).png().toFile(blank);
    const { code, stdout } = await run("predict", blank);
    expect(code).toBe(EXIT_OK);
    expect(stdout.trimEnd().split("\n")[1].split(/\s{2,}/)).toEqual([blank, "-", "-", "no face found", "-"]);
  });
});

describe("what used to be lost or silent", () => {
  it("follows symbolic links in a walked folder, and lists broken ones and loops as skipped", async () => {
    const dir = join(tmp, "links");
    await mkdir(join(dir, "sub"), { recursive: true });
    await symlink(ASTRONAUT, join(dir, "linked.png"));
    await symlink(join(tmp, "nowhere.png"), join(dir, "broken.png"));
    await symlink(dir, join(dir, "sub", "loop"));
    const { code, stdout, stderr } = await run("predict", dir);
    expect(stdout).toContain(join(dir, "linked.png"));
    expect(stderr).toContain(`microexp: skipped ${join(dir, "broken.png")}: broken symbolic link`);
    expect(stderr).toContain(`microexp: skipped ${join(dir, "sub", "loop")}: symbolic link to a folder already walked`);
    expect(stderr).toContain("1 file(s), 1 face(s), 0 failed");
    expect(code).toBe(EXIT_OK);
  });

  it("--annotate onto an existing file stops before any work, naming it", async () => {
    const file = join(tmp, "not-a-folder.txt");
    await writeFile(file, "keep me");
    const { code, stdout, stderr } = await run("predict", "--annotate", file, ASTRONAUT);
    expect(code).toBe(EXIT_USAGE);
    expect(stdout).toBe("");
    expect(stderr).toBe(`microexp: --annotate ${file}: exists and is not a folder; name a folder for the annotated copies\n`);
    expect(await readFile(file, "utf8")).toBe("keep me");
  });

  it("keeps the table and the JSON when an annotated copy cannot be written", async () => {
    const out = join(tmp, "blocked");
    await mkdir(join(out, "astronaut.png"), { recursive: true }); // a folder where the copy should go
    const json = await run("predict", "--json", "--annotate", out, ASTRONAUT);
    expect(json.code).toBe(EXIT_FILE_FAILED);
    const [outcome] = JSON.parse(json.stdout) as Array<JsonOutcome & { annotateError?: string }>;
    expect(outcome).toMatchObject({ file: ASTRONAUT, faces: [{ label: "happy" }], annotateError: expect.stringContaining(join(out, "astronaut.png")) });
    expect(json.stderr).toContain(`microexp: no annotated copy: ${join(out, "astronaut.png")}`);
    expect(json.stderr).toContain("(1 not written)");
    const table = await run("predict", "--annotate", out, ASTRONAUT);
    expect(table.stdout).toContain("happy");
  });

  it("draws labels the SVG writer could not print (markup, control characters)", async () => {
    const svg = overlaySvg(100, 100, [{ box: { x: 10, y: 10, width: 50, height: 50 }, label: "a<b>&\u0001\ud800\"'", probability: 0.5, scores: [] }]);
    expect(svg).toContain("a&#60;b&#62;&#38;\ufffd\ufffd&#34;&#39; 50%");
    const png = await sharp({ create: { width: 100, height: 100, channels: 3, background: "#808080" } }).composite([{ input: Buffer.from(svg) }]).png().toBuffer();
    expect((await sharp(png).metadata()).width).toBe(100);
  });

  it("says that a file without faces has none, in the JSON too", async () => {
    const blank = join(tmp, "blank-json.png");
    await sharp({ create: { width: 200, height: 150, channels: 3, background: "#808080" } }).png().toFile(blank);
    const { stdout } = await run("predict", "--json", blank);
    expect(JSON.parse(stdout)).toEqual([{ file: blank, width: 200, height: 150, faces: [], note: "no face found" }]);
  });

  it("labels a damaged photo leniently, but warns that its pixels may be wrong", async () => {
    const damaged = join(tmp, "damaged.jpg");
    const bytes = await readFile(LONDON[0]);
    bytes.fill(0xff, bytes.length >> 1, (bytes.length >> 1) + 40); // marker bytes in the middle of the scan
    await writeFile(damaged, bytes);
    const { code, stdout, stderr } = await run("predict", "--json", damaged);
    expect(code).toBe(EXIT_OK);
    const [outcome] = JSON.parse(stdout) as Array<{ warnings?: string[] }>;
    expect(outcome.warnings).toEqual([expect.stringMatching(/^damaged image, decoded leniently \(part of it may be wrong\): not a readable image \(VipsJpeg: Corrupt JPEG data/)]);
    expect(stderr).toContain(`microexp: warning: ${damaged}: damaged image, decoded leniently`);
  });
});

const BIN = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

describe.skipIf(!existsSync(BIN))("the built executable", () => {
  it("runs as a program and sets the exit code", async () => {
    const { stdout } = await promisify(execFile)(BIN, ["predict", ASTRONAUT]);
    expect(stdout).toContain(ASTRONAUT);
    const failure = await promisify(execFile)(BIN, ["predict", join(tmp, "missing.png")]).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: EXIT_FILE_FAILED, stderr: expect.stringContaining("no such file or directory") });
  });
});
if (!existsSync(BIN)) console.warn(`\n*** SKIPPING the executable test: ${BIN} is not built (npm run build -w @microexp/demo) ***\n`);
