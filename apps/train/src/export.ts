// The `export` command: train on all the data (no test fold) and write a weights file for
// @microexp/infer, with a model card in its header.
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Metrics } from "@microexp/distill";
import { cachedTeacherLogits, metricsFromLogits, predictModelCrops, selectBackend, trainStudent } from "@microexp/distill";
import type { ModelInfo } from "@microexp/infer";
import { decodeWeights, encodeWeights } from "@microexp/infer";
import { GraphExportError, modelNetwork, registeredNetwork } from "@microexp/models";
import type { CommandContext, CvReport, RunOptions } from "./cv.js";
import { checkTrainingModels, describeRecipe, describeTraining } from "./cv.js";
import type { DataOptions } from "./data.js";
import { UsageError } from "./errors.js";
import { writeFileAtomic } from "./files.js";
import { markdownTable, meanStd, percent } from "./format.js";
import { architectureOf } from "./models.js";
import { prepareData } from "./prepare.js";
import { attachSoftTargets } from "./soft-targets.js";
import type { DataRecord, EngineRecord, ReportFiles, RunRecord } from "./report.js";
import { aboutTable, dataRecord, engineRecord, metricsRecord, recallAndConfusion, runRecord, writeReport } from "./report.js";
import type { TrainingOptions } from "./run-config.js";
import { claimRunDir, recipeOptions, runName, studentConfig, teacherConfig } from "./run-config.js";
import { lockRunDir } from "./run-lock.js";
import { quote } from "./environment.js";

export interface ExportOptions extends DataOptions, TrainingOptions, Omit<RunOptions, "workers"> {
  /** The weights file to write (.mxw). */
  out: string;
  /** A `cv` report.json of the same configuration: its accuracy goes into the model card. */
  cvReport?: string;
  name?: string;
  weightsVersion?: string;
  description?: string;
  license?: string;
  /** Store the tensors as float16 (half the size). */
  float16?: boolean;
}

export interface ExportReport {
  kind: "export";
  run: RunRecord;
  data: DataRecord;
  training: CvReport["training"];
  engine: EngineRecord;
  weightsFile: string;
  weightsBytes: number;
  runDir: string;
  /** The header's model card, as written. */
  modelCard: ModelInfo;
  /** Accuracy on the training images themselves: a sanity check, not a test. */
  trainingSetMetrics: ReturnType<typeof metricsRecord>;
}

/**
 * A path as a model card may hold it: relative to the working folder, or else its last two
 * parts. A card is published inside the weights, so it never names the machine's folders.
 */
export function portablePath(file: string): string {
  const inside = relative(process.cwd(), file);
  const parts = inside && !inside.startsWith("..") && !isAbsolute(inside) ? inside.split(sep) : [basename(dirname(file)), basename(file)];
  return parts.filter((p) => p !== "").join("/");
}

/** A command-line argument with any absolute path in it (`/x` or `--opt=/x`) made portable. */
export function portableArgument(arg: string): string {
  const option = /^(--[\w-]+=)(.*)$/.exec(arg);
  if (option) return isAbsolute(option[2]) ? `${option[1]}${portablePath(option[2])}` : arg;
  return isAbsolute(arg) ? portablePath(arg) : arg;
}

/** The cross-validation figures a model card quotes, and whether they are about the same data and training. */
function crossValidationCard(file: string, data: DataRecord, training: CvReport["training"]): Record<string, unknown> {
  let cv: CvReport;
  try {
    cv = JSON.parse(readFileSync(file, "utf8")) as CvReport;
  } catch (error) {
    throw new UsageError(`--cv-report ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (cv.kind !== "cv" || !cv.results?.cropAccuracy) throw new UsageError(`--cv-report ${file}: not a report.json written by "microexp-train cv"`);
  const same = (a: object, b: object, keys: string[]) => keys.every((k) => JSON.stringify((a as Record<string, unknown>)[k]) === JSON.stringify((b as Record<string, unknown>)[k]));
  return {
    report: portablePath(file),
    protocol: cv.split.protocol,
    folds: cv.split.folds,
    cropAccuracy: cv.results.cropAccuracy,
    voteAccuracy: cv.results.voteAccuracy,
    inferenceCropAccuracy: cv.results.inferenceCropAccuracy,
    sameData: cv.data.contentHash === data.contentHash,
    sameTraining: same(cv.training, training, ["model", "teacher", "teacherEpochs", "temperature", "lambda", "t2", "epochs", "lr", "batch", "dropout"]),
  };
}

export function defaultExportDir(options: ExportOptions): string {
  return resolve("runs", runName({ prefix: "export", data: options, training: options }));
}

/** Refuses, before any training, a network the runtime's layer graph cannot express (the registry says which; the untrained network's graph export says why). */
async function checkExportable(options: ExportOptions): Promise<void> {
  const entry = registeredNetwork(options.model);
  if (entry.exportable) return;
  await selectBackend(options.backend);
  let reason = "the registry marks it not exportable";
  try {
    entry.graph(2);
  } catch (error) {
    if (!(error instanceof GraphExportError)) throw error;
    reason = error.message;
  }
  throw new UsageError(`--model ${options.model}: @microexp/infer cannot run it, so no weights file can hold it (${reason})`);
}

export async function runExport(options: ExportOptions, context: CommandContext): Promise<{ report: ExportReport; files: ReportFiles }> {
  const started = new Date();
  checkTrainingModels(options);
  if (options.onlineTeacher) throw new UsageError("--online-teacher: export distils from cached teacher logits only; train with cv --teacher-from <run> --online-teacher, then publish a fold");
  await checkExportable(options);
  if (options.cvReport && !existsSync(options.cvReport)) throw new UsageError(`--cv-report ${resolve(options.cvReport)}: no such file`);
  const out = resolve(options.out);
  const runDir = resolve(options.runDir ?? defaultExportDir(options));
  const unlock = lockRunDir(runDir);
  try {
    return await runLockedExport(options, context, { out, runDir, started });
  } finally {
    unlock();
  }
}

async function runLockedExport(options: ExportOptions, context: CommandContext, where: { out: string; runDir: string; started: Date }): Promise<{ report: ExportReport; files: ReportFiles }> {
  const { out, runDir, started } = where;
  const cacheDir = resolve(options.cacheDir ?? join(dirname(runDir), "cache"));
  const { progress, signal } = context;
  const data = await prepareData(options, options.seed, cacheDir, progress, signal);
  if (options.softTargets) await attachSoftTargets(data, options.softTargets, options.dataset, options.data, progress);
  const backend = await selectBackend(options.backend);
  const student = studentConfig(options);
  const teacher = teacherConfig(options);
  claimRunDir(runDir, {
    dataset: options.dataset, labels: data.manifest.labelNames, detectFaces: data.detectFaces, limit: options.limit ?? null,
    manifestHash: data.manifestHash, contentHash: data.contentHash, student, teacher: teacher ?? null,
  });
  progress.log(`run folder: ${runDir}; backend ${backend.name}`);

  const all = Array.from({ length: data.crops.count }, (_, i) => i);
  const onEvent = (event: Parameters<typeof progress.trainingEvent>[1]) => progress.trainingEvent("all data", event);
  const soft = teacher
    ? await cachedTeacherLogits(data.crops, all, { config: teacher, cacheDir }, data.contentHash, {
      checkpointPath: join(runDir, "teacher.ckpt"), onEvent, ...(signal ? { signal } : {}),
    })
    : undefined;
  if (soft?.fromCache) progress.log(`teacher logits: read from ${soft.cacheFile}`);
  const trained = await trainStudent(data.crops, student, {
    checkpointPath: join(runDir, "student.ckpt"), onProgress: (p) => onEvent({ stage: "student", progress: p }), ...(signal ? { signal } : {}),
    threads: options.threads ?? availableParallelism(), backend: options.backend,
  }, soft?.logits);
  let metrics: Metrics;
  let bytes: Uint8Array;
  const training: CvReport["training"] = {
    model: options.model, teacher: options.teacher, teacherEpochs: teacher?.epochs, teacherDropout: options.teacherDropout,
    ...(teacher?.init ? { teacherInit: teacher.init.file, teacherInitSha256: teacher.init.sha256 } : {}),
    temperature: options.temperature, lambda: options.lambda, t2: options.t2,
    ...(options.teacher && options.teacherCrops === "mean" ? { teacherCrops: "mean" as const } : {}), epochs: options.epochs, lr: options.lr,
    batch: options.batch, dropout: options.dropout, seed: options.seed, ...recipeOptions(options),
    architecture: architectureOf(options.model), teacherArchitecture: options.teacher ? architectureOf(options.teacher) : null,
  };
  const dataInfo = dataRecord(data, options.dataset, options.limit);
  const run = runRecord(context.argv, started);
  let card: ModelInfo;
  try {
    signal?.throwIfAborted();
    const numClasses = data.manifest.labelNames.length;
    const architecture = architectureOf(options.model);
    metrics = metricsFromLogits((await predictModelCrops(trained.model, options.model, data.crops)).logits, data.crops.labels, numClasses);
    card = {
      name: options.name ?? `${architecture} trained on ${data.name}`,
      ...(options.weightsVersion ? { version: options.weightsVersion } : {}),
      ...(options.description ? { description: options.description } : {}),
      ...(options.license ? { license: options.license } : {}),
      source: "microexp-train export",
      createdAt: new Date().toISOString(),
      architecture,
      data: {
        dataset: dataInfo.dataset, name: dataInfo.name, images: dataInfo.images, labels: dataInfo.labels, classCounts: dataInfo.classCounts,
        manifestHash: dataInfo.manifestHash, contentHash: dataInfo.contentHash, detectFaces: dataInfo.detectFaces, limit: dataInfo.limit,
      },
      protocol: "trained on every image (no test fold); see crossValidation for held-out accuracy",
      training: {
        epochs: student.epochs, learningRate: student.learningRate, batchSize: student.batchSize, dropout: student.dropout, seed: student.seed,
        loss: student.distillation ? "distillation" : "cross-entropy",
        ...(teacher ? { teacher: { name: teacher.architecture, epochs: teacher.epochs, dropout: teacher.dropout, seed: teacher.seed } } : {}),
        ...(student.distillation ? { distillation: student.distillation } : {}),
        ...(describeRecipe(training) ? { recipe: describeRecipe(training).slice(2) } : {}),
        finalLoss: trained.history.at(-1)?.loss ?? null,
      },
      crossValidation: options.cvReport ? crossValidationCard(resolve(options.cvReport), dataInfo, training) : null,
      trainingSetAccuracy: { crop: metrics.cropAccuracy, vote: metrics.voteAccuracy, inferenceCrop: metrics.inferenceCropAccuracy },
      versions: run.versions,
      backend: { name: backend.name, backendVersion: backend.backendVersion, tfjsVersion: backend.tfjsVersion, customKernels: backend.customKernels },
      machine: { cpu: run.machine.cpu, cores: run.machine.cores },
      command: ["microexp-train", ...run.command.argv.map(portableArgument)].map(quote).join(" "),
    };
    bytes = encodeWeights(modelNetwork(trained.model, options.model, numClasses), {
      labels: data.manifest.labelNames, model: card, dtype: options.float16 ? "float16" : "float32",
    });
  } finally {
    trained.model.dispose();
  }
  decodeWeights(bytes, out); // what infer will read: checked before it is written
  writeFileAtomic(out, bytes);
  const report: ExportReport = {
    kind: "export", run: runRecord(context.argv, started), data: dataInfo, training, engine: engineRecord(backend),
    weightsFile: out, weightsBytes: bytes.length, runDir, modelCard: card, trainingSetMetrics: metricsRecord(metrics),
  };
  return { report, files: writeReport(runDir, "report", report, exportMarkdown(report)) };
}

export function exportMarkdown(report: ExportReport): string {
  const cv = report.modelCard.crossValidation as ReturnType<typeof crossValidationCard> | null;
  const cvRows = cv
    ? [
      ["cross-validation report", `\`${String(cv.report)}\``],
      ["protocol", `${String(cv.protocol)}, ${String(cv.folds)} folds`],
      ["crop-averaged %", meanStd(cv.cropAccuracy as { mean: number; std: number })],
      ["voting %", meanStd(cv.voteAccuracy as { mean: number; std: number })],
      ["inference crop %", meanStd(cv.inferenceCropAccuracy as { mean: number; std: number })],
      ["same data / same training", `${cv.sameData ? "yes" : "NO"} / ${cv.sameTraining ? "yes" : "NO"}`],
    ]
    : [["cross-validation", "none given (--cv-report)"]];
  const m = report.trainingSetMetrics;
  return [
    `# Export: ${String(report.modelCard.name)}`, "",
    aboutTable(report.run, report.data, report.engine, [
      ["training", describeTraining(report.training)],
      ["weights file", `\`${report.weightsFile}\` (${report.weightsBytes} bytes)`],
      ["run folder", `\`${report.runDir}\``],
    ]), "",
    "## Held-out accuracy (from cross-validation)", "",
    markdownTable(["", ""], cvRows), "",
    "## Accuracy on the training images (a sanity check, not a test)", "",
    markdownTable(["crop-averaged %", "voting %", "inference crop %"], [[percent(m.cropAccuracy), percent(m.voteAccuracy), percent(m.inferenceCropAccuracy)]]), "",
    recallAndConfusion(report.data.labels, m.confusion, m.recall.map((v) => v ?? Number.NaN)), "",
  ].join("\n");
}
