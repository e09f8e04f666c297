// The built command line end to end on a tiny generated folder dataset: cv writes its report
// and resumes without retraining, export writes weights that @microexp/infer classifies with,
// eval reads them back, every command has --help, and bad input fails clearly.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashManifest, loadFolderDataset } from "@microexp/datasets";
import { readCheckpoint } from "@microexp/distill";
import { decodeWeights } from "@microexp/infer";
import { loadClassifierFromFile } from "@microexp/infer/node";
import type { CvReport, EvalReport, ExportReport, SweepReport } from "../src/index.js";
import { limitManifest } from "../src/data.js";
import { cli, readJson, readReport, startCli, tempDir, writeFaces } from "./helpers.js";

const temp = tempDir("cli");
const cwd = temp.dir;
afterAll(() => temp.remove());
beforeAll(async () => {
  await writeFaces(join(cwd, "faces"), 7);
});

const DATA = ["--dataset", "folder", "--data", "faces", "--limit", "12"];
const CV = ["cv", ...DATA, "--epochs", "1", "--folds", "2", "--dropout", "0", "--backend", "wasm", "--run-dir", "runs/cv"];

describe("--help", () => {
  it("describes the program and every command", () => {
    const top = cli(cwd, ["--help"]);
    expect(top.status).toBe(0);
    for (const command of ["cv", "sweep", "export", "eval"]) expect(top.stdout).toContain(command);
    const options: Record<string, string[]> = {
      cv: ["--dataset", "--protocol", "--folds", "--teacher", "--temperature", "--lambda", "--t2", "--workers", "--backend", "--run-dir", "--limit"],
      sweep: ["--table", "--temperatures", "--cells", "--sweep-dir"],
      export: ["--out", "--cv-report", "--float16"],
      eval: ["--weights", "--engine", "--report-dir"],
    };
    for (const [command, names] of Object.entries(options)) {
      const help = cli(cwd, [command, "--help"]);
      expect(help.status, command).toBe(0);
      expect(help.stdout).toContain(`Usage: microexp-train ${command}`);
      for (const name of names) expect(help.stdout, `${command} ${name}`).toContain(name);
    }
  });
});

describe("cv", () => {
  let first: ReturnType<typeof cli>;
  let report: CvReport;

  beforeAll(() => {
    first = cli(cwd, [...CV, "--workers", "2"]);
    if (first.status === 0) report = readJson<CvReport>(join(cwd, "runs/cv/report.json"));
  });

  it("trains the folds and writes report.md and report.json", () => {
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/fold 0 student: started, 1 epochs/);
    expect(first.stdout).toMatch(/fold 1 student: epoch 1\/1, loss \d+\.\d{4}/);
    expect(first.stdout).toMatch(/fold 1 done in .*: crop-averaged \d+\.\d\d%/);
    expect(first.stdout).toContain("crop-averaged (the paper's measure)");
    const markdown = readFileSync(join(cwd, "runs/cv/report.md"), "utf8");
    for (const heading of ["## Accuracy", "## Per fold", "## Per-class recall", "## Confusion matrix"]) expect(markdown).toContain(heading);
    expect(markdown).toContain(report.data.manifestHash);
    expect(markdown).toContain("| test logits computed with | tfjs fused ops |");
  });

  it("records the command, seeds, data hash, versions, backend and machine", async () => {
    expect(report.run.command.argv).toEqual([...CV, "--workers", "2"]);
    expect(report.run.command.line).toBe(`microexp-train ${[...CV, "--workers", "2"].join(" ")}`);
    const manifest = await loadFolderDataset(join(cwd, "faces"));
    expect(report.data.manifestHash).toBe(hashManifest(limitManifest(manifest, 12, 1)));
    expect(report.data.images).toBe(12);
    expect(report.data.availableImages).toBe(14);
    expect(report.data.classCounts).toEqual({ happy: 6, sadness: 6 });
    expect(report.seeds).toEqual({ split: 1, students: [1, 2], teachers: null });
    for (const name of ["@microexp/distill", "@microexp/infer", "@microexp/face", "@microexp/datasets", "@microexp/models", "@tensorflow/tfjs-core"]) {
      expect(report.run.versions[name], name).toMatch(/^\d+\.\d+\.\d+/);
    }
    expect(report.engine).toMatchObject({ kind: "tfjs", name: "wasm", customKernels: true });
    expect(report.run.machine.cores).toBeGreaterThan(0);
    expect(report.run.machine.cpu.length).toBeGreaterThan(0);
    expect(Date.parse(report.run.finished)).toBeGreaterThanOrEqual(Date.parse(report.run.started));
  });

  it("reports per-fold and mean ± std accuracy, per-class recall and confusion", () => {
    const r = report.results;
    expect(r.folds.map((f) => [f.fold, f.trainImages, f.testImages, f.epochs])).toEqual([[0, 6, 6, 1], [1, 6, 6, 1]]);
    const crop = r.folds.map((f) => f.cropAccuracy);
    expect(r.cropAccuracy.mean).toBeCloseTo((crop[0] + crop[1]) / 2, 12);
    expect(r.cropAccuracy.std).toBeCloseTo(Math.abs(crop[0] - crop[1]) / Math.SQRT2, 12);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(12 * 8);
    expect(r.recall).toHaveLength(2);
    for (const f of r.folds) for (const v of [f.cropAccuracy, f.voteAccuracy, f.inferenceCropAccuracy]) expect(v).toBeGreaterThanOrEqual(0);
  });

  it("resumes without retraining when run again", () => {
    const stamp = statSync(join(cwd, "runs/cv/fold-0/result.json")).mtimeMs;
    const again = cli(cwd, CV);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/fold 0 finished earlier/);
    expect(again.stdout).toMatch(/fold 1 finished earlier/);
    expect(again.stdout).not.toMatch(/student: started/);
    expect(again.stdout).toContain("crops: read from the cache");
    expect(statSync(join(cwd, "runs/cv/fold-0/result.json")).mtimeMs).toBe(stamp);
    const second = readJson<CvReport>(join(cwd, "runs/cv/report.json"));
    expect(second.results.cropAccuracy).toEqual(report.results.cropAccuracy);
    // the report keeps the training's time and command, not the re-run's seconds
    expect(second.run).toEqual(report.run);
    expect(readFileSync(join(cwd, "runs/cv/report.md"), "utf8")).toContain(`${report.run.started} to ${report.run.finished}`);
  });

  it("refuses to reuse a run folder for another configuration", () => {
    const other = cli(cwd, [...CV.filter((a) => a !== "--dropout" && a !== "0"), "--dropout", "0.25"]);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/runs\/cv holds a run of another configuration \(it differs in student\.dropout\)/);
  });
});

describe("cv --teacher-from: a finished run teaches another, fold by fold", () => {
  it("distils from each fold's trained network without training it again, and reports its accuracy", () => {
    const run = cli(cwd, ["cv", ...DATA, "--epochs", "1", "--folds", "2", "--model", "p12-XXS", "--teacher-from", "runs/cv", "--backend", "wasm", "--run-dir", "runs/kd-of-cv"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(/teacher: started/);
    const teacherRun = readJson<CvReport>(join(cwd, "runs/cv/report.json"));
    const report = readJson<CvReport>(join(cwd, "runs/kd-of-cv/report.json"));
    expect(report.training.teacher).toBe("microexpnet");
    expect(report.training.teacherFrom).toBe(join(cwd, "runs/cv"));
    // The same networks on the same held-out faces: the teacher run's own figures, to the digit.
    expect(report.results.folds.map((f) => f.teacherCropAccuracy)).toEqual(teacherRun.results.folds.map((f) => f.cropAccuracy));
    expect(readFileSync(join(cwd, "runs/kd-of-cv/report.md"), "utf8")).toContain("trained by run");
  });

  it("with --online-teacher, runs that network on every augmented sample the student sees, and says so", () => {
    const run = cli(cwd, ["cv", ...DATA, "--epochs", "1", "--folds", "2", "--model", "p12-XXS", "--teacher-from", "runs/cv", "--online-teacher",
      "--sampling", "one-per-face", "--augment", "--backend", "wasm", "--run-dir", "runs/kd-online"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = readJson<CvReport>(join(cwd, "runs/kd-online/report.json"));
    expect(report.training.onlineTeacher).toBe(true);
    expect(readJson<{ config: { student: { onlineTeacher?: boolean } } }>(join(cwd, "runs/kd-online/run.json")).config.student.onlineTeacher).toBe(true);
    expect(readFileSync(join(cwd, "runs/kd-online/report.md"), "utf8")).toContain("the teacher run on every sample as the student sees it (online)");
  });

  it("with --teacher-crops mean, teaches each crop with its face's mean over the cached crops, and says so", () => {
    const run = cli(cwd, ["cv", ...DATA, "--epochs", "1", "--folds", "2", "--model", "p12-XXS", "--teacher-from", "runs/cv", "--teacher-crops", "mean",
      "--backend", "wasm", "--run-dir", "runs/kd-mean"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = readJson<CvReport>(join(cwd, "runs/kd-mean/report.json"));
    expect(report.training.teacherCrops).toBe("mean");
    expect(readJson<{ config: { student: { teacherCrops?: string } } }>(join(cwd, "runs/kd-mean/run.json")).config.student.teacherCrops).toBe("mean");
    expect(readFileSync(join(cwd, "runs/kd-mean/report.md"), "utf8")).toContain("every crop taught with the mean of the teacher's logits over its face's 8 crops");
    // The same teacher and student with each crop's own logits learn something else.
    const own = readJson<CvReport>(join(cwd, "runs/kd-of-cv/report.json"));
    expect(report.results.folds.map((f) => f.finalLoss)).not.toEqual(own.results.folds.map((f) => f.finalLoss));
  });

  it("refuses --teacher-crops mean without a teacher, and with --online-teacher", () => {
    const alone = cli(cwd, [...CV.slice(0, -1), "runs/mean-alone", "--teacher-crops", "mean"]);
    expect(alone.status).toBe(1);
    expect(alone.stderr).toMatch(/--teacher-crops mean needs a teacher/);
    const online = cli(cwd, [...CV.slice(0, -1), "runs/mean-online", "--teacher-from", "runs/cv", "--online-teacher", "--teacher-crops", "mean"]);
    expect(online.status).toBe(1);
    expect(online.stderr).toMatch(/--teacher-crops mean averages the teacher's logits cached per crop; --online-teacher caches none/);
  });

  it("refuses --online-teacher without a teacher", () => {
    const run = cli(cwd, [...CV.slice(0, -1), "runs/online-alone", "--online-teacher"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--online-teacher needs a teacher/);
  });

  it("refuses a run that split other faces", () => {
    const run = cli(cwd, ["cv", ...DATA.slice(0, -1), "10", "--epochs", "1", "--folds", "2", "--teacher-from", "runs/cv", "--run-dir", "runs/kd-other"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--teacher-from runs\/cv: its limit is 12, this run's is 10; a teacher must have trained on the same faces/);
  });
});

describe("cv --init: fine-tuning from a finished run's checkpoint", () => {
  it("starts each fold from the checkpoint's network (with a negligible rate, its accuracy is the checkpoint's)", () => {
    const run = cli(cwd, ["cv", ...DATA, "--epochs", "1", "--folds", "2", "--dropout", "0", "--lr", "1e-12", "--init", "runs/cv/fold-0/student.ckpt", "--backend", "wasm", "--run-dir", "runs/init"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = readJson<CvReport>(join(cwd, "runs/init/report.json"));
    expect(report.training.init).toBe(join(cwd, "runs/cv/fold-0/student.ckpt"));
    expect(report.training.initSha256).toMatch(/^[0-9a-f]{64}$/);
    const from = readJson<CvReport>(join(cwd, "runs/cv/report.json"));
    expect(report.results.folds[0].cropAccuracy).toBe(from.results.folds[0].cropAccuracy);
  });

  it("refuses a checkpoint of another network", () => {
    const run = cli(cwd, ["cv", ...DATA, "--epochs", "1", "--folds", "2", "--model", "p1-XXS", "--init", "runs/cv/fold-0/student.ckpt", "--run-dir", "runs/init-other"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/student\.ckpt: hold a microexpnet network, the model is p1-XXS/);
  });
});

describe("publish", () => {
  it("writes a fold's network with a card quoting its held-out accuracy and no folder of this machine", async () => {
    const run = cli(cwd, ["publish", "--cv-report", "runs/cv/report.json", "--fold", "1", "--out", "published.mxw", "--weights-version", "2.0.0", "--license", "MIT", "--crops", "single"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = readJson<CvReport>(join(cwd, "runs/cv/report.json"));
    const classifier = await loadClassifierFromFile(join(cwd, "published.mxw"));
    const card = classifier.weights.model as { version: string; protocol: string; heldOutAccuracy: { inferenceCrop: number; cropPolicies: unknown } };
    expect(card.version).toBe("2.0.0");
    expect(classifier.crops).toBe("single"); // the card's crops: classify()'s default for this file
    expect(card.heldOutAccuracy.inferenceCrop).toBe(report.results.folds[1].inferenceCropAccuracy);
    expect(card.heldOutAccuracy.cropPolicies).toEqual(report.results.folds[1].policies);
    expect(card.protocol).toMatch(/trained on the \d+ training faces of random 2-fold, fold 1 only/);
    expect(JSON.stringify(card)).not.toContain(cwd);
    expect(readFileSync(join(cwd, "published.mxw")).readUInt32LE(4)).toBe(3);
    // A family member can be written as format version 2 (readers before version 3 load it): the same network and card.
    const v2 = cli(cwd, ["publish", "--cv-report", "runs/cv/report.json", "--fold", "1", "--out", "published-v2.mxw", "--weights-version", "2.0.0", "--license", "MIT", "--crops", "single", "--format-version", "2"]);
    expect(v2.stderr).toBe("");
    expect(v2.status).toBe(0);
    expect(readFileSync(join(cwd, "published-v2.mxw")).readUInt32LE(4)).toBe(2);
    const older = decodeWeights(readFileSync(join(cwd, "published-v2.mxw")), "published-v2.mxw");
    expect(older.network.tensors).toEqual(classifier.weights.network.tensors);
    expect(older.model).toEqual(classifier.weights.model);
    const bad = cli(cwd, ["publish", "--cv-report", "runs/cv/report.json", "--fold", "7", "--out", "x.mxw"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--fold 7: .* has folds 0, 1/);
    const odd = cli(cwd, ["publish", "--cv-report", "runs/cv/report.json", "--out", "x.mxw", "--crops", "nine"]);
    expect(odd.status).not.toBe(0);
    expect(odd.stderr).toMatch(/--crops.*nine.*single, single-flip, eight, four-flip, eight-flip/);
  });
});

describe("cv with the in-the-wild recipe", () => {
  it("trains one augmented crop per face and epoch on 2 threads, and says so in the report", () => {
    const run = cli(cwd, [
      "cv", ...DATA, "--epochs", "2", "--folds", "2", "--dropout", "0", "--backend", "wasm", "--workers", "1", "--threads", "2",
      "--sampling", "one-per-face", "--augment", "--label-smoothing", "0.1", "--weight-decay", "1e-4", "--schedule", "cosine", "--warmup", "1",
      "--run-dir", "runs/recipe",
    ]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = readJson<CvReport>(join(cwd, "runs/recipe/report.json"));
    expect(report.training).toMatchObject({ sampling: "one-per-face", augment: "full", labelSmoothing: 0.1, weightDecay: 1e-4, schedule: "cosine", warmup: 1, threads: 2 });
    const markdown = readFileSync(join(cwd, "runs/recipe/report.md"), "utf8");
    expect(markdown).toContain("one random crop per face and epoch, augmented (flip, shift 4 px, rotation 10°, scale 10 %, erasing p 0.5), label smoothing 0.1, weight decay 0.0001, cosine schedule after 1 warm-up epochs, 2 threads a batch");
  });

  it("trains with SGD and plain momentum when asked, and says so in the report and the run's name", () => {
    const run = cli(cwd, ["cv", ...DATA, "--epochs", "1", "--folds", "2", "--dropout", "0", "--backend", "wasm", "--lr", "0.01", "--optimizer", "sgd", "--momentum", "0.8", "--no-nesterov"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const dir = readdirSync(join(cwd, "runs")).find((name) => name.includes("-sgd-m0.8-plain-"));
    expect(dir).toBeDefined();
    const report = readJson<CvReport>(join(cwd, "runs", dir!, "report.json"));
    expect(report.training).toMatchObject({ optimizer: "sgd", momentum: 0.8, nesterov: false, lr: 0.01 });
    expect(readFileSync(join(cwd, "runs", dir!, "report.md"), "utf8")).toContain("1 epoch, SGD (momentum 0.8) lr 0.01,");
    const rejected = cli(cwd, ["cv", ...DATA, "--epochs", "1", "--optimizer", "rmsprop"]);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stderr).toMatch(/--optimizer.*rmsprop.*adam, sgd/s);
  });

  it("trains a family member on 0..1 pixels with another bias init, and writes weights for raw pixels", async () => {
    const run = cli(cwd, ["cv", ...DATA, "--epochs", "1", "--folds", "2", "--dropout", "0", "--backend", "wasm", "--unit-pixels", "--bias-std", "0", "--run-dir", "runs/unit"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = readJson<CvReport>(join(cwd, "runs/unit/report.json"));
    expect(report.training).toMatchObject({ unitPixels: true, biasStd: 0 });
    expect(readFileSync(join(cwd, "runs/unit/report.md"), "utf8")).toContain("pixels scaled to 0..1, biases initialised N(0, 0)");
    // The fold's weights file (conv1 with the scale folded in; models' parity test checks the answers) loads and evaluates.
    const evaluated = cli(cwd, ["eval", ...DATA, "--weights", "runs/unit/fold-0/student.mxw", "--report-dir", "runs/unit-eval"]);
    expect(evaluated.status).toBe(0);
    const dsnet = cli(cwd, ["cv", ...DATA, "--epochs", "1", "--model", "dsnet", "--unit-pixels", "--run-dir", "runs/unit-dsnet"]);
    expect(dsnet.status).toBe(1);
    expect(dsnet.stderr).toMatch(/--unit-pixels and --bias-std set up MicroExpNet family members; dsnet has its own/);
  });

  it("refuses FER+ soft targets on a dataset that is not FER2013", () => {
    const run = cli(cwd, ["cv", ...DATA, "--epochs", "1", "--folds", "2", "--soft-targets", "ferplus", "--run-dir", "runs/soft"]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/--soft-targets ferplus needs --dataset fer2013/);
  });
});

describe("caches and run folders are keyed on the images' contents", () => {
  it("decodes again, and refuses the run folder, after an image is replaced under the same name", async () => {
    await writeFaces(join(cwd, "swapped"), 3);
    const args = ["cv", "--dataset", "folder", "--data", "swapped", "--epochs", "1", "--folds", "2", "--dropout", "0", "--backend", "wasm", "--run-dir", "runs/swapped"];
    const first = cli(cwd, args);
    expect(first.status, first.stderr).toBe(0);
    expect(cli(cwd, args).stdout).toContain("crops: read from the cache");
    // Another picture under an old name: same paths, labels and count.
    copyFileSync(join(cwd, "swapped/sadness/face00.png"), join(cwd, "swapped/happy/face00.png"));
    const after = cli(cwd, args);
    expect(after.stdout).not.toContain("crops: read from the cache");
    expect(after.status).toBe(1);
    expect(after.stderr).toMatch(/runs\/swapped holds a run of another configuration \(it differs in contentHash\)/);
  });
});

describe("a run folder is used by one command at a time", () => {
  const args = (dir: string) => ["cv", ...DATA, "--epochs", "1", "--folds", "2", "--dropout", "0", "--backend", "wasm", "--run-dir", dir];
  const lock = (dir: string, pid: number) => {
    mkdirSync(join(cwd, dir), { recursive: true });
    writeFileSync(join(cwd, dir, "lock.json"), JSON.stringify({ pid, host: hostname(), started: "2026-01-01T00:00:00.000Z", command: "microexp-train cv" }));
  };

  it("says clearly that the folder is busy while its owner runs, and leaves its files alone", () => {
    lock("runs/busy", process.pid); // this test's process: alive
    const run = cli(cwd, args("runs/busy"));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`runs/busy: this run folder is busy: another microexp-train (pid ${process.pid}, started 2026-01-01T00:00:00.000Z) is using it`);
    expect(existsSync(join(cwd, "runs/busy/run.json"))).toBe(false);
    expect(existsSync(join(cwd, "runs/busy/lock.json"))).toBe(true);
    const sweep = cli(cwd, ["sweep", "--table", "family", "--cells", "p12-XXS", ...DATA, "--epochs", "1", "--folds", "2", "--backend", "wasm", "--sweep-dir", "runs/busy"]);
    expect(sweep.status).toBe(1);
    expect(sweep.stderr).toContain("this sweep folder is busy");
  });

  it("takes over a stale lock (its owner has ended) and removes its own at the end", () => {
    const ended = spawnSync(process.execPath, ["-e", "0"]).pid!;
    lock("runs/stale", ended);
    const run = cli(cwd, args("runs/stale"));
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(cwd, "runs/stale/report.json"))).toBe(true);
    expect(existsSync(join(cwd, "runs/stale/lock.json"))).toBe(false);
  });

  it("keeps a second real run out while the first trains", async () => {
    const twice = ["cv", ...DATA, "--epochs", "400", "--folds", "2", "--dropout", "0", "--backend", "wasm", "--workers", "0", "--run-dir", "runs/twice"];
    const first = startCli(cwd, twice);
    const exited = new Promise((done) => first.on("exit", done));
    try {
      while (!existsSync(join(cwd, "runs/twice/lock.json")) && first.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      const second = cli(cwd, twice);
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`this run folder is busy: another microexp-train (pid ${first.pid}`);
    } finally {
      first.kill("SIGKILL");
      await exited;
    }
  });
});

describe("a dsnet run: folds write its layer graph, publish rebuilds one from a checkpoint, eval runs it", () => {
  it("publishes a dsnet fold that has only its checkpoint, the same network the fold exports, and eval takes it", async () => {
    const run = cli(cwd, ["cv", ...DATA, "--epochs", "1", "--folds", "2", "--model", "dsnet", "--backend", "wasm", "--run-dir", "runs/dsnet"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    // Its test logits come from the runtime's engine, and the report says so.
    expect(readJson<CvReport>(join(cwd, "runs/dsnet/report.json")).results.folds.map((f) => f.evaluatedVia)).toEqual(["@microexp/infer wasm", "@microexp/infer wasm"]);
    expect(readFileSync(join(cwd, "runs/dsnet/report.md"), "utf8")).toContain("| test logits computed with | @microexp/infer wasm |");
    const foldWeights = join(cwd, "runs/dsnet/fold-1/student.mxw");
    const written = decodeWeights(readFileSync(foldWeights), foldWeights);
    expect(written.network.graph.name).toBe("dsnet");
    // A run made before folds wrote every exportable network: the fold holds only student.ckpt.
    rmSync(foldWeights);
    const published = cli(cwd, ["publish", "--cv-report", "runs/dsnet/report.json", "--fold", "1", "--out", "dsnet.mxw"]);
    expect(published.stderr).toBe("");
    expect(published.status).toBe(0);
    const weights = decodeWeights(readFileSync(join(cwd, "dsnet.mxw")), "dsnet.mxw");
    expect(weights.network.graph).toEqual(written.network.graph);
    for (const [name, values] of Object.entries(written.network.tensors)) expect(weights.network.tensors[name], name).toEqual(values);
    expect(weights.labels).toEqual(["happy", "sadness"]);
    const notFamily = cli(cwd, ["publish", "--cv-report", "runs/dsnet/report.json", "--fold", "1", "--out", "dsnet-v2.mxw", "--format-version", "2"]);
    expect(notFamily.status).not.toBe(0);
    expect(notFamily.stderr).toMatch(/--format-version 2: .*format version 2 holds only the paper's family; graph dsnet needs version 3/);
    expect(existsSync(join(cwd, "dsnet-v2.mxw"))).toBe(false);
    const evaluated = cli(cwd, ["eval", ...DATA, "--weights", "dsnet.mxw", "--report-dir", "runs/eval-dsnet"]);
    expect(evaluated.stderr).toBe("");
    expect(evaluated.status).toBe(0);
    const report = readJson<EvalReport>(join(cwd, "runs/eval-dsnet/report.json"));
    expect(report.weights.architecture).toBe("dsnet");
    expect(report.metrics.confusion.flat().reduce((a, b) => a + b, 0)).toBe(96);
    // export trains dsnet on every face and writes its layer graph, which infer runs in WebAssembly.
    const exported = cli(cwd, ["export", ...DATA, "--model", "dsnet", "--epochs", "1", "--backend", "wasm", "--out", "dsnet-all.mxw", "--run-dir", "runs/export-dsnet"]);
    expect(exported.stderr).toBe("");
    expect(exported.status).toBe(0);
    const classifier = await loadClassifierFromFile(join(cwd, "dsnet-all.mxw"));
    expect(classifier.weights.network.graph.name).toBe("dsnet");
    expect(classifier.engineKind).toBe("wasm");
    expect((classifier.weights.model as { architecture: string }).architecture).toBe("dsnet");
    // A fold of another configuration's checkpoint is refused, naming the difference.
    const runFile = join(cwd, "runs/dsnet/run.json");
    const config = readJson<{ config: { student: { dropout: number } } }>(runFile);
    writeFileSync(runFile, JSON.stringify({ config: { ...config.config, student: { ...config.config.student, dropout: 0.25 } } }));
    rmSync(join(cwd, "runs/dsnet/fold-0/student.mxw"));
    const refused = cli(cwd, ["publish", "--cv-report", "runs/dsnet/report.json", "--fold", "0", "--out", "x.mxw"]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/student\.ckpt: made with dropout 0\.5, the run's configuration says 0\.25/);
  });
});

describe("export and eval", () => {
  const weights = "out/model.mxw";
  let exported: ExportReport;

  it("export trains on all images and writes a weights file with a model card", () => {
    const run = cli(cwd, ["export", ...DATA, "--epochs", "2", "--dropout", "0", "--backend", "wasm", "--out", weights,
      "--cv-report", join(cwd, "runs/cv/report.json"), "--name", "tiny", "--weights-version", "0.0.1", "--run-dir", "runs/export"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/all data student: epoch 2\/2/);
    expect(existsSync(join(cwd, weights))).toBe(true);
    exported = readJson<ExportReport>(join(cwd, "runs/export/report.json"));
    const card = exported.modelCard as Record<string, unknown> & { data: { manifestHash: string }; crossValidation: { sameData: boolean; folds: number } };
    expect(card).toMatchObject({ name: "tiny", version: "0.0.1", architecture: "p12-XXS", source: "microexp-train export" });
    expect(card.data.manifestHash).toBe(exported.data.manifestHash);
    expect(card.crossValidation).toMatchObject({ sameData: true, folds: 2 });
    expect(card.versions).toMatchObject({ "@microexp/distill": expect.any(String) });
    // The card travels inside the published weights: no folder of this machine in it, though
    // --cv-report was given as an absolute path.
    const shipped = JSON.stringify(decodeWeights(readFileSync(join(cwd, weights))).model);
    expect(shipped).not.toContain(cwd);
    expect(shipped).toContain('"report":"runs/cv/report.json"');
    expect(shipped).toContain("--cv-report runs/cv/report.json");
  });

  it("@microexp/infer loads the weights and classifies with them", async () => {
    const classifier = await loadClassifierFromFile(join(cwd, weights));
    expect(classifier.labels).toEqual(["happy", "sadness"]);
    expect(classifier.weights.model.name).toBe("tiny");
    const face = { width: 64, height: 64, channels: 1 as const, data: new Uint8Array(64 * 64).fill(128) };
    const prediction = classifier.classify(face);
    expect(["happy", "sadness"]).toContain(prediction.label);
    expect(prediction.scores.reduce((s, x) => s + x.probability, 0)).toBeCloseTo(1, 6);
  });

  it("eval measures the weights on a dataset as training did", () => {
    const run = cli(cwd, ["eval", ...DATA, "--weights", weights, "--report-dir", "runs/eval"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("8-crop voting");
    const report = readJson<EvalReport>(join(cwd, "runs/eval/report.json"));
    expect(report.weights.labels).toEqual(["happy", "sadness"]);
    expect(report.data.manifestHash).toBe(exported.data.manifestHash);
    expect(report.metrics.confusion.flat().reduce((a, b) => a + b, 0)).toBe(96);
    expect(report.engine.kind).toBe("infer");
    // classify()'s crop policies: the single crop's softmax decides as its logits do.
    expect(Object.keys(report.metrics.policies!)).toEqual(["single", "single-flip", "eight", "four-flip", "eight-flip"]);
    expect(report.metrics.policies!.single).toBe(report.metrics.inferenceCropAccuracy);
    expect(run.stdout).toContain('classify() crops "eight-flip"');
    // The same images through @microexp/infer and through tfjs after training: the same decisions
    // (a crop or two may flip where two logits are within float rounding of each other).
    expect(Math.abs(report.metrics.cropAccuracy - exported.trainingSetMetrics.cropAccuracy)).toBeLessThanOrEqual(2 / 96);
    expect(readFileSync(join(cwd, "runs/eval/report.md"), "utf8")).toContain("## Confusion matrix");
  });
});

describe("sweep", () => {
  it("runs the family table's chosen cells beside the paper's numbers", () => {
    const run = cli(cwd, ["sweep", "--table", "family", "--cells", "p12-XXS", ...DATA, "--labels", "ck7", "--epochs", "1", "--folds", "2",
      "--backend", "wasm", "--workers", "0", "--sweep-dir", "runs/family"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = readJson<SweepReport>(join(cwd, "runs/family/sweep.json"));
    expect(report.cells.map((c) => [c.id, c.paper])).toEqual([["p12-XXS", 78.52]]);
    expect(report.notRun).toHaveLength(15);
    expect(existsSync(join(cwd, "runs/family/p12-XXS/report.json"))).toBe(true);
    const markdown = readFileSync(join(cwd, "runs/family/sweep.md"), "utf8");
    expect(markdown).toMatch(/\| p12 \| not run \| not run \| not run \| \d+\.\d\d ± \d+\.\d\d \(paper 78\.52\) \|/);
  });

  it("trains the teacher once for the whole temperature table", () => {
    const run = cli(cwd, ["sweep", "--table", "temperature", "--model", "microexpnet", "--teacher", "p1-XXS", "--teacher-epochs", "1",
      "--temperatures", "2,8", ...DATA, "--epochs", "1", "--folds", "2", "--backend", "wasm", "--workers", "0", "--sweep-dir", "runs/temperature"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const [firstCell, secondCell] = run.stdout.split("cell 2/2: T8");
    expect(firstCell).toMatch(/fold 0 teacher: started/);
    expect(secondCell).not.toMatch(/teacher: started/);
    const report = readJson<SweepReport>(join(cwd, "runs/temperature/sweep.json"));
    expect(report.cells.map((c) => [c.id, c.training.temperature, c.paper])).toEqual([["T2", 2, null], ["T8", 8, null]]);
    expect(report.cells.every((c) => c.teacherCropAccuracy !== null)).toBe(true);
  });
});

describe("bad input", () => {
  it("a missing data folder is a clear error and a non-zero exit", () => {
    const run = cli(cwd, ["cv", "--dataset", "folder", "--data", "no-such-folder", "--epochs", "1"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: --data .*no-such-folder: no such file or folder\n$/);
  });

  it("a dataset of one class, or with a class without images, is an error; a chosen label set only warns", async () => {
    await writeFaces(join(cwd, "one-class"), 3);
    rmSync(join(cwd, "one-class/sadness"), { recursive: true });
    const one = cli(cwd, ["cv", "--dataset", "folder", "--data", "one-class", "--epochs", "1", "--folds", "2", "--backend", "wasm", "--run-dir", "runs/one-class"]);
    expect(one.status).toBe(1);
    expect(one.stderr).toContain("one-class: only class happy has images; a classifier needs at least two classes");
    // ck7 over happy and sadness folders: five of seven classes are empty, which --labels asked for.
    await writeFaces(join(cwd, "two-of-seven"), 3);
    const chosen = cli(cwd, ["cv", "--dataset", "folder", "--labels", "ck7", "--data", "two-of-seven", "--epochs", "1", "--folds", "2", "--backend", "wasm", "--run-dir", "runs/two-of-seven"]);
    expect(chosen.status, chosen.stderr).toBe(0);
    expect(chosen.stdout).toMatch(/WARNING: .*two-of-seven: no images of classes anger, contempt, disgust, fear, surprise/);
  });

  it("says which images had no face found when faces are detected (their crops are of the whole image)", () => {
    const run = cli(cwd, ["cv", ...DATA, "--detect-faces", "--epochs", "1", "--folds", "2", "--backend", "wasm", "--run-dir", "runs/no-faces"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/WARNING: no face found in 12 of 12 images, so their crops are of the whole image: .*faces\/happy\/face\d\d\.png/);
  });

  it("an unknown model is a clear error and a non-zero exit", () => {
    const run = cli(cwd, ["cv", ...DATA, "--model", "resnet-9000", "--epochs", "1"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/--model resnet-9000: unknown model; known: microexpnet, .*p12-XXS/);
    const teacher = cli(cwd, ["cv", ...DATA, "--teacher", "nobody", "--epochs", "1"]);
    expect(teacher.status).toBe(1);
    expect(teacher.stderr).toMatch(/--teacher nobody: unknown model/);
  });

  it("bad option values and missing options name the option", () => {
    const epochs = cli(cwd, ["cv", ...DATA, "--epochs", "zero"]);
    expect(epochs.status).not.toBe(0);
    expect(epochs.stderr).toMatch(/--epochs <n>.*'zero' is invalid/);
    const dataset = cli(cwd, ["cv", "--dataset", "ckplus99", "--data", "faces"]);
    expect(dataset.status).not.toBe(0);
    expect(dataset.stderr).toMatch(/--dataset <kind>.*'ckplus99' is invalid/);
    const missing = cli(cwd, ["export", ...DATA, "--epochs", "1"]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/required option '--out <file>' not specified/);
    const labels = cli(cwd, ["cv", "--dataset", "oulu", "--data", "faces", "--labels", "ck8", "--epochs", "1"]);
    expect(labels.status).toBe(1);
    expect(labels.stderr).toMatch(/--labels ck8 does not apply to --dataset oulu/);
  });

  it("eval names a missing or broken weights file; export refuses a network infer cannot run", () => {
    const missing = cli(cwd, ["eval", ...DATA, "--weights", "nothing.mxw"]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/--weights .*nothing\.mxw: no such file/);
    const broken = cli(cwd, ["eval", ...DATA, "--weights", "faces/happy/face00.png"]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/face00\.png: not a microexp weights file/);
    const teacher = cli(cwd, ["export", ...DATA, "--model", "inception-v3", "--out", "x.mxw", "--epochs", "1"]);
    expect(teacher.status).toBe(1);
    expect(teacher.stderr).toMatch(/--model inception-v3: @microexp\/infer cannot run it, so no weights file can hold it \(model inception_v3: layer \w+ \(\w+\) /);
    expect(existsSync(join(cwd, "x.mxw"))).toBe(false);
    const online = cli(cwd, ["export", ...DATA, "--teacher", "p1-XXS", "--online-teacher", "--out", "x.mxw", "--epochs", "1"]);
    expect(online.status).toBe(1);
    expect(online.stderr).toMatch(/--online-teacher: export distils from cached teacher logits only/);
  });
});

describe("Ctrl-C", () => {
  it("stops cleanly, keeping the last epoch checkpoint for a resume", async () => {
    const args = ["cv", ...DATA, "--epochs", "500", "--folds", "2", "--workers", "1", "--backend", "wasm", "--run-dir", "runs/interrupted"];
    const child = startCli(cwd, args);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const checkpoint = join(cwd, "runs/interrupted/fold-0/student.ckpt");
    const deadline = Date.now() + 60_000;
    while (!existsSync(checkpoint) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(checkpoint)).toBe(true);
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", (exitCode) => resolve(exitCode));
      child.kill("SIGINT");
    });
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted: .*run the same command again to resume/);
    expect(readCheckpoint(checkpoint)!.epoch).toBeGreaterThanOrEqual(1);
    expect(existsSync(join(cwd, "runs/interrupted/fold-0/result.json"))).toBe(false);
    expect(existsSync(join(cwd, "runs/interrupted/report.json"))).toBe(false);
  });
});

describe("a killed run", () => {
  it("resumes to the same weights and the same report as an uninterrupted run (distilled, augmented, dropout 0)", async () => {
    const args = (runDir: string) => ["cv", ...DATA, "--folds", "2", "--workers", "1", "--dropout", "0", "--epochs", "30", "--augment",
      "--teacher", "p12-S", "--teacher-epochs", "2", "--t2", "--seed", "4", "--backend", "wasm", "--run-dir", runDir];
    expect(cli(cwd, args("runs/uninterrupted")).status).toBe(0);

    const child = startCli(cwd, args("runs/killed"));
    child.stdout.resume();
    child.stderr.resume();
    const checkpoint = join(cwd, "runs/killed/fold-0/student.ckpt");
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (readCheckpointIfThere(checkpoint)?.epoch ?? 0) < 5) await new Promise((r) => setTimeout(r, 20));
    await new Promise<void>((resolve) => {
      child.on("exit", () => resolve());
      child.kill("SIGKILL");
    });
    const killedAt = readCheckpoint(checkpoint)!.epoch;
    expect(killedAt).toBeGreaterThanOrEqual(5);
    expect(killedAt).toBeLessThan(30);
    expect(existsSync(join(cwd, "runs/killed/fold-0/result.json"))).toBe(false);

    const resumed = cli(cwd, args("runs/killed"));
    expect(resumed.stderr).toBe("");
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`fold 0 student: resumed at epoch ${killedAt + 1}/30`));
    expect(readReport(join(cwd, "runs/killed"), "report")).toEqual(readReport(join(cwd, "runs/uninterrupted"), "report"));
    for (const fold of [0, 1]) {
      const weights = (dir: string) => readFileSync(join(cwd, dir, `fold-${fold}`, "student.mxw"));
      expect(weights("runs/killed").equals(weights("runs/uninterrupted")), `fold ${fold}`).toBe(true);
    }
  });
});

/** The checkpoint (undefined before it is written), or undefined while it cannot be read. */
function readCheckpointIfThere(file: string): ReturnType<typeof readCheckpoint> {
  try {
    return readCheckpoint(file);
  } catch {
    return undefined;
  }
}
