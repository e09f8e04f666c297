// The `cv` command: one configuration, k-fold cross-validation, a report.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { BackendPreference, CrossValidationSummary, FoldJob, PolicyAccuracy, RunnerKind, Summary, TrainConfig } from "@microexp/distill";
import { crossValidate } from "@microexp/distill";
import type { DataOptions, DatasetKind, Protocol } from "./data.js";
import { makeSplit } from "./data.js";
import { percent, meanStd, markdownTable, formatDuration, jsonNumbers } from "./format.js";
import { architectureOf, checkModel } from "./models.js";
import type { HashedData, PreparedData } from "./prepare.js";
import { prepareData } from "./prepare.js";
import { attachSoftTargets } from "./soft-targets.js";
import type { ProgressDisplay } from "./progress.js";
import type { DataRecord, EngineRecord, ReportFiles, RunRecord } from "./report.js";
import { aboutTable, dataRecord, engineRecord, metricsRecord, recallAndConfusion, runRecord, writeReport } from "./report.js";
import type { TrainingOptions } from "./run-config.js";
import { claimRunDir, recipeOptions, runName, studentConfig, teacherConfig, TRAINING_DEFAULTS } from "./run-config.js";
import type { SplitIdentity } from "./teacher-run.js";
import { readTeacherRun, teacherArchitectureOf } from "./teacher-run.js";
import { UsageError } from "./errors.js";
import { isFamilyMember } from "@microexp/models";
import { lockRunDir } from "./run-lock.js";

export interface RunOptions {
  /** Worker threads (0: in this thread). Default: one per core. */
  workers?: number;
  backend: BackendPreference;
  /** Default: runs/<a name derived from the configuration>. */
  runDir?: string;
  /** Crop and teacher-logit caches. Default: a "cache" folder beside the run folder. */
  cacheDir?: string;
}

export interface CvOptions extends DataOptions, TrainingOptions, RunOptions {
  protocol: Protocol;
  folds: number;
}

export interface CommandContext {
  /** The command line, recorded in reports. */
  argv: readonly string[];
  progress: ProgressDisplay;
  signal?: AbortSignal;
}

export interface FoldRecord {
  fold: number;
  trainImages: number;
  testImages: number;
  studentSeed: number;
  teacherSeed: number | null;
  cropAccuracy: number;
  voteAccuracy: number;
  inferenceCropAccuracy: number;
  teacherCropAccuracy: number | null;
  /** Accuracy of each @microexp/infer classify() crop policy (absent in older reports). */
  policies?: PolicyAccuracy;
  recall: Array<number | null>;
  confusion: number[][];
  finalLoss: number | null;
  epochs: number;
  /** Training time of the student in the run that finished the fold (a resumed fold counts its last part only). */
  trainSeconds: number;
  samplesPerSecond: number;
  backend: string;
  /** What computed the fold's test logits (absent in older reports). */
  evaluatedVia?: RunnerKind;
}

/** The report's "evaluated with" row: what computed the test logits, when the folds recorded it. */
function evaluatedWith(folds: readonly FoldRecord[]): Array<[string, string]> {
  const kinds = [...new Set(folds.map((f) => f.evaluatedVia).filter((v) => v !== undefined))];
  return kinds.length ? [["test logits computed with", kinds.join(", ")]] : [];
}

export interface CvReport {
  kind: "cv";
  run: RunRecord;
  data: DataRecord;
  split: { protocol: Protocol; folds: number; seed: number | null };
  seeds: { split: number; students: number[]; teachers: number[] | null };
  training: TrainingOptions & { architecture: string; teacherArchitecture: string | null; teacherInitSha256?: string; initSha256?: string };
  runDir: string;
  cacheDir: string;
  engine: EngineRecord;
  results: {
    folds: FoldRecord[];
    cropAccuracy: Summary;
    voteAccuracy: Summary;
    inferenceCropAccuracy: Summary;
    teacherCropAccuracy: Summary | null;
    policies?: Record<keyof PolicyAccuracy, Summary>;
    recall: Array<number | null>;
    confusion: number[][];
  };
}

export interface CvOutcome {
  report: CvReport;
  files: ReportFiles;
}

export function defaultRunDir(options: CvOptions): string {
  return resolve("runs", runName({ data: options, training: options, protocol: options.protocol, folds: options.folds }));
}

/** With --teacher-from, the teacher is the network that run trained. */
export function withTeacherOfRun(options: CvOptions): CvOptions {
  if (!options.teacherFrom) return options;
  const teacher = teacherArchitectureOf(options.teacherFrom);
  if (options.teacher && options.teacher !== teacher) throw new UsageError(`--teacher ${options.teacher} and --teacher-from ${options.teacherFrom} (which trained ${teacher}) disagree; give one`);
  if (options.teacherInit || options.teacherEpochs !== undefined) throw new UsageError("--teacher-from takes a trained teacher: --teacher-init and --teacher-epochs do not apply");
  return { ...options, teacher };
}

export function checkTrainingModels(options: TrainingOptions): void {
  checkModel(options.model, "--model");
  if (options.onlineTeacher && !options.teacher && !options.teacherFrom) throw new UsageError("--online-teacher needs a teacher: --teacher-from <run> (or --teacher)");
  if (options.teacherCrops === "mean") {
    if (!options.teacher && !options.teacherFrom) throw new UsageError("--teacher-crops mean needs a teacher: --teacher-from <run> (or --teacher)");
    if (options.onlineTeacher) throw new UsageError("--teacher-crops mean averages the teacher's logits cached per crop; --online-teacher caches none (give one of the two)");
  }
  if ((options.unitPixels || options.biasStd !== undefined) && !isFamilyMember(options.model)) {
    throw new UsageError(`--unit-pixels and --bias-std set up MicroExpNet family members; ${options.model} has its own input scaling and initialisation`);
  }
  if (options.teacher) checkModel(options.teacher, "--teacher");
}

/** Runs one cross-validation (resuming whatever an earlier run of it left) and writes its report. */
export async function runCv(given: CvOptions, context: CommandContext, prepared?: PreparedData): Promise<CvOutcome> {
  const started = new Date();
  const options = withTeacherOfRun(given);
  checkTrainingModels(options);
  const runDir = resolve(options.runDir ?? defaultRunDir(options));
  const unlock = lockRunDir(runDir);
  try {
    return await runLockedCv(options, context, runDir, started, prepared);
  } finally {
    unlock();
  }
}

/**
 * What a cross-validation trains and what its report says about it, everything but the
 * results: plain JSON, so that a job queue can keep it until the folds are done.
 */
export interface CvPlan {
  options: CvOptions;
  data: DataRecord;
  /** The faces and the split: what a run folder (and a --teacher-from run) is checked against. */
  identity: SplitIdentity;
  split: CvReport["split"];
  students: TrainConfig[];
  /** Per fold (null: vanilla training). */
  teachers: Array<TrainConfig | null>;
  /** With --teacher-from: that run's folder and, per fold, its teacher's final checkpoint. */
  teacherFrom?: { dir: string; checkpoints: string[] };
  folds: Array<{ train: number[]; test: number[] }>;
}

/** `options` as runCv takes them (--teacher-from already resolved to its teacher). */
export function planCv(options: CvOptions, data: HashedData): CvPlan {
  const split = makeSplit(data, options.dataset, { protocol: options.protocol, folds: options.folds, seed: options.seed });
  const identity: SplitIdentity = {
    dataset: options.dataset, labels: data.manifest.labelNames, detectFaces: data.detectFaces, limit: options.limit ?? null,
    contentHash: data.contentHash, protocol: options.protocol, folds: split.folds.length, splitSeed: split.seed,
  };
  const teacherRun = options.teacherFrom ? readTeacherRun(options.teacherFrom, identity) : undefined;
  return {
    options, data: dataRecord(data, options.dataset, options.limit), identity, split: { protocol: options.protocol, folds: split.folds.length, seed: split.seed },
    students: split.folds.map((_, f) => studentConfig(options, f)),
    teachers: split.folds.map((_, f) => (teacherRun ? teacherRun.folds[f].config : (teacherConfig(options, f) ?? null))),
    ...(teacherRun ? { teacherFrom: { dir: teacherRun.dir, checkpoints: teacherRun.folds.map((f) => f.checkpoint) } } : {}),
    folds: split.folds.map((fold) => ({ train: fold.train, test: fold.test })),
  };
}

/** The fold runner's jobs of a plan, writing to runDir/fold-<f>/. */
export function cvFoldJobs(plan: CvPlan, runDir: string, cacheDir: string): FoldJob[] {
  const { options } = plan;
  return plan.folds.map((fold, f) => ({
    fold: f, runDir, train: fold.train, test: fold.test, student: plan.students[f], dataHash: plan.data.contentHash,
    ...(options.threads ? { threads: options.threads } : {}),
    ...(plan.teachers[f] ? { teacher: { config: plan.teachers[f], cacheDir, ...(plan.teacherFrom ? { checkpoint: plan.teacherFrom.checkpoints[f] } : {}) } } : {}),
  }));
}

async function runLockedCv(options: CvOptions, context: CommandContext, runDir: string, started: Date, prepared?: PreparedData): Promise<CvOutcome> {
  const cacheDir = resolve(options.cacheDir ?? join(dirname(runDir), "cache"));
  const data = prepared ?? (await prepareData(options, options.seed, cacheDir, context.progress, context.signal));
  if (options.softTargets && !data.crops.softTargets) await attachSoftTargets(data, options.softTargets, options.dataset, options.data, context.progress);
  const plan = planCv(options, data);
  claimRunDir(runDir, {
    ...plan.identity, manifestHash: data.manifestHash, student: plan.students[0], teacher: plan.teachers[0] ?? null,
    ...(plan.teacherFrom ? { teacherFrom: plan.teacherFrom.dir } : {}),
  });
  const jobs = cvFoldJobs(plan, runDir, cacheDir);

  const { progress } = context;
  progress.log(`run folder: ${runDir}`);
  progress.folds(jobs.length);
  let trainedHere = false;
  const summary: CrossValidationSummary = await crossValidate(data.crops, jobs, {
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    backend: options.backend,
    onEvent: (fold, event) => progress.trainingEvent(`fold ${fold}`, event),
    onFoldDone: (result, resumed) => {
      if (!resumed) trainedHere = true;
      progress.foldDone(result, resumed);
    },
    ...(context.signal ? { signal: context.signal } : {}),
  });
  // Running a finished run again re-writes its report; its time and command stay the training's.
  const run = (!trainedHere && earlierRunRecord(runDir)) || runRecord(context.argv, started);
  const report = cvReport(plan, summary, { run, runDir, cacheDir });
  return { report, files: writeReport(runDir, "report", report, cvMarkdown(report)) };
}

/** The run record of the report a finished run folder holds, if it has a readable one. */
function earlierRunRecord(runDir: string): RunRecord | undefined {
  const file = join(runDir, "report.json");
  if (!existsSync(file)) return undefined;
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as Partial<CvReport>).run;
  } catch {
    return undefined; // an unreadable report is rewritten whole, with this command's record
  }
}

/** The report of a planned cross-validation from its folds' results (this machine's or a queue's). */
export function cvReport(plan: CvPlan, summary: CrossValidationSummary, where: { run: RunRecord; runDir: string; cacheDir: string }): CvReport {
  const { options, students, teachers } = plan;
  return {
    kind: "cv",
    run: where.run,
    data: plan.data,
    split: plan.split,
    seeds: { split: options.seed, students: students.map((s) => s.seed), teachers: teachers[0] ? teachers.map((t) => t!.seed) : null },
    training: {
      model: options.model, teacher: options.teacher, teacherEpochs: options.teacher ? (teachers[0]?.epochs ?? options.epochs) : undefined,
      teacherDropout: teachers[0]?.dropout ?? options.teacherDropout, ...(plan.teacherFrom ? { teacherFrom: plan.teacherFrom.dir } : {}), temperature: options.temperature, lambda: options.lambda, t2: options.t2,
      ...(options.teacher && options.onlineTeacher ? { onlineTeacher: true } : {}),
      ...(options.teacher && options.teacherCrops === "mean" ? { teacherCrops: "mean" as const } : {}),
      ...(teachers[0]?.init ? { teacherInit: teachers[0].init.file, teacherInitSha256: teachers[0].init.sha256 } : {}),
      ...(students[0].init ? { init: students[0].init.file, initSha256: students[0].init.sha256 } : {}),
      epochs: options.epochs, lr: options.lr, batch: options.batch, dropout: options.dropout, seed: options.seed, ...recipeOptions(options),
      architecture: architectureOf(options.model), teacherArchitecture: options.teacher ? architectureOf(options.teacher) : null,
    },
    runDir: where.runDir, cacheDir: where.cacheDir,
    engine: engineRecord(summary.backend),
    results: {
      folds: summary.folds.map((r) => ({
        fold: r.fold, trainImages: plan.folds[r.fold].train.length, testImages: plan.folds[r.fold].test.length,
        studentSeed: students[r.fold].seed, teacherSeed: teachers[r.fold]?.seed ?? null,
        cropAccuracy: r.metrics.cropAccuracy, voteAccuracy: r.metrics.voteAccuracy, inferenceCropAccuracy: r.metrics.inferenceCropAccuracy,
        teacherCropAccuracy: r.teacherMetrics?.cropAccuracy ?? null,
        ...(r.metrics.policies ? { policies: r.metrics.policies } : {}),
        recall: metricsRecord(r.metrics).recall, confusion: r.metrics.confusion,
        finalLoss: r.history.at(-1)?.loss ?? null, epochs: r.history.at(-1)?.epoch ?? 0,
        trainSeconds: r.trainSeconds, samplesPerSecond: r.samplesPerSecond, backend: r.backend, ...(r.evaluatedVia ? { evaluatedVia: r.evaluatedVia } : {}),
      })),
      cropAccuracy: summary.cropAccuracy, voteAccuracy: summary.voteAccuracy, inferenceCropAccuracy: summary.inferenceCropAccuracy,
      teacherCropAccuracy: summary.teacherCropAccuracy ?? null, ...(summary.policies ? { policies: summary.policies } : {}), recall: jsonNumbers(summary.recall), confusion: summary.confusion,
    },
  };
}

const epochs = (n: number | undefined) => `${n} epoch${n === 1 ? "" : "s"}`;

/** One line on how a student was trained; `perCell` names settings that a sweep varies. */
export function describeTraining(t: CvReport["training"], perCell: { model?: boolean; temperature?: boolean } = {}): string {
  const model = perCell.model ? "model per cell" : `${t.model} (${t.architecture})`;
  const student = `${model}${t.init ? ` starting from ${t.init}` : ""}, ${epochs(t.epochs)}, ${describeOptimizer(t)} lr ${t.lr}, batch ${t.batch}, dropout ${t.dropout}${describeRecipe(t)}`;
  if (!t.teacher) return `${student}; vanilla (cross-entropy only)`;
  const temperature = perCell.temperature ? "T per cell" : `T ${t.temperature}`;
  const init = t.teacherInit ? `, starting from ${t.teacherInit}` : t.teacherFrom ? `, trained by run ${t.teacherFrom}` : "";
  return `${student}; distilled from ${t.teacher} (${epochs(t.teacherEpochs)}, dropout ${t.teacherDropout}${init}) with ${temperature}, lambda ${t.lambda}${t.t2 ? ", soft term x T^2" : ""}` +
    (t.onlineTeacher ? ", the teacher run on every sample as the student sees it (online)" : "") +
    (t.teacherCrops === "mean" ? ", every crop taught with the mean of the teacher's logits over its face's 8 crops" : "");
}

/** "Adam", or SGD with its momentum. */
export function describeOptimizer(t: Partial<CvReport["training"]>): string {
  return t.optimizer === "sgd" ? `SGD (${t.nesterov === false ? "" : "Nesterov "}momentum ${t.momentum ?? TRAINING_DEFAULTS.momentum})` : "Adam";
}

/** The in-the-wild recipe's parts that a run used (nothing for the paper's recipe; old reports have none). */
export function describeRecipe(t: Partial<CvReport["training"]>): string {
  const parts: string[] = [];
  if (t.sampling === "one-per-face") parts.push("one random crop per face and epoch");
  if (t.augment) parts.push(t.augment === "flip" ? "mirrored at random (p 0.5)" : "augmented (flip, shift 4 px, rotation 10°, scale 10 %, erasing p 0.5)");
  if (t.labelSmoothing) parts.push(`label smoothing ${t.labelSmoothing}`);
  if (t.softTargets) parts.push(`${t.softTargets === "ferplus" ? "FER+ votes" : t.softTargets} as soft targets (weight ${t.softWeight})`);
  if (t.weightDecay) parts.push(`weight decay ${t.weightDecay}`);
  if (t.schedule === "cosine") parts.push(`cosine schedule${t.warmup ? ` after ${t.warmup} warm-up epochs` : ""}`);
  if (t.unitPixels) parts.push("pixels scaled to 0..1");
  if (t.biasStd !== undefined) parts.push(`biases initialised N(0, ${t.biasStd})`);
  if (t.threads && t.threads > 1) parts.push(`${t.threads} threads a batch`);
  return parts.length > 0 ? `, ${parts.join(", ")}` : "";
}

/** The headline of a cross-validation: crop-averaged accuracy (mean ± std), as the paper reports. */
export function accuracyTable(r: CvReport["results"], folds: number): string {
  const rows = [
    ["crop-averaged (the paper's measure)", meanStd(r.cropAccuracy)],
    ["8-crop voting (mean of the logits)", meanStd(r.voteAccuracy)],
    ["inference crop only (the runtime's)", meanStd(r.inferenceCropAccuracy)],
  ];
  if (r.policies) {
    for (const [name, value] of Object.entries(r.policies)) rows.push([`classify() with crops "${name}" (softmax mean)`, meanStd(value)]);
  }
  if (r.teacherCropAccuracy) rows.push(["teacher, crop-averaged", meanStd(r.teacherCropAccuracy)]);
  return markdownTable(["measure", `accuracy % (mean ± std over ${folds} folds)`], rows);
}

export function cvMarkdown(report: CvReport): string {
  const { results: r, data, training } = report;
  const seeds = `split ${report.seeds.split}; students ${report.seeds.students.join(", ")}` +
    (report.seeds.teachers ? `; teachers ${report.seeds.teachers.join(", ")}` : "");
  const split = report.split.protocol === "predefined" ? "the dataset's own split" : `${report.split.protocol === "subject" ? "subject-independent" : "random (stratified)"} ${report.split.folds}-fold`;
  const foldRows = r.folds.map((f) => [
    String(f.fold), String(f.trainImages), String(f.testImages), percent(f.cropAccuracy), percent(f.voteAccuracy),
    percent(f.inferenceCropAccuracy), percent(f.teacherCropAccuracy), f.finalLoss === null ? "—" : f.finalLoss.toFixed(4),
    String(f.epochs), formatDuration(f.trainSeconds), f.samplesPerSecond.toFixed(0),
  ]);
  return [
    `# Cross-validation: ${training.model} on ${data.name}`, "",
    aboutTable(report.run, data, report.engine, [
      ["split", `${split}, seed ${report.split.seed ?? "—"}`],
      ["training", describeTraining(training)],
      ["seeds", seeds],
      ...evaluatedWith(report.results.folds),
      ["run folder", `\`${report.runDir}\``],
    ]), "",
    "## Accuracy", "",
    accuracyTable(r, report.split.folds), "",
    "## Per fold", "",
    markdownTable(["fold", "train images", "test images", "crop-averaged %", "voting %", "inference crop %", "teacher %", "final loss", "epochs", "student time", "samples/s"], foldRows), "",
    recallAndConfusion(data.labels, r.confusion, r.recall.map((v) => v ?? Number.NaN)), "",
  ].join("\n");
}

export type { DatasetKind };
