// The `publish` command: one cross-validation fold's trained network as a weights file to
// ship, with a model card whose accuracy is the fold's held-out figure (faces the network
// never trained on). A FER2013 run has one fold: trained on Training, tested on PublicTest.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TrainConfig } from "@microexp/distill";
import { modelFromRunCheckpoint, selectBackend } from "@microexp/distill";
import { exportableNetwork } from "@microexp/distill/internal";
import type { CropPolicy, ModelInfo, ModelWeights } from "@microexp/infer";
import { cropPolicyShape, decodeWeights, encodeWeights } from "@microexp/infer";
import type { CvReport } from "./cv.js";
import { describeTraining } from "./cv.js";
import { quote } from "./environment.js";
import { UsageError } from "./errors.js";
import { portableArgument } from "./export.js";
import { writeFileAtomic } from "./files.js";

export interface PublishOptions {
  /** A report.json written by `microexp-train cv`. */
  cvReport: string;
  fold: number;
  out: string;
  name?: string;
  weightsVersion?: string;
  description?: string;
  license?: string;
  float16?: boolean;
  /** The crop policy classify() uses by default with these weights (the card's `crops`). */
  crops?: CropPolicy;
  /** Weights format version: 3 (the default, any network) or 2 (the paper's family only, which readers before format 3 load). */
  formatVersion?: 2 | 3;
}

export interface PublishOutcome {
  file: string;
  bytes: number;
  card: ModelInfo;
}

function readReport(file: string): CvReport {
  let report: CvReport;
  try {
    report = JSON.parse(readFileSync(file, "utf8")) as CvReport;
  } catch (error) {
    throw new UsageError(`--cv-report ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (report.kind !== "cv" || !Array.isArray(report.results?.folds)) throw new UsageError(`--cv-report ${file}: not a report.json written by "microexp-train cv"`);
  return report;
}

/** The training record with its files made portable (the teacher's run, init weights): a shipped card names no folder of the machine. */
function portableTraining(t: CvReport["training"]): CvReport["training"] {
  return {
    ...t,
    ...(t.init ? { init: portableArgument(t.init) } : {}),
    ...(t.teacherInit ? { teacherInit: portableArgument(t.teacherInit) } : {}),
    ...(t.teacherFrom ? { teacherFrom: portableArgument(t.teacherFrom) } : {}),
  };
}

/**
 * A fold's network: its student.mxw, or, for a run whose fold wrote none (a network exported as a
 * layer graph, trained before folds wrote one for every exportable network), its final
 * checkpoint rebuilt with the run's configuration (run.json) and exported.
 */
async function foldWeights(report: CvReport, fold: number, seed: number): Promise<ModelWeights> {
  const foldDir = join(report.runDir, `fold-${fold}`);
  const weightsFile = join(foldDir, "student.mxw");
  if (existsSync(weightsFile)) return decodeWeights(readFileSync(weightsFile), weightsFile);
  const checkpoint = join(foldDir, "student.ckpt");
  if (!existsSync(checkpoint)) throw new UsageError(`${foldDir}: the fold's weights (student.mxw, student.ckpt) are not there (is this the machine and run folder the report was written in?)`);
  const runFile = join(report.runDir, "run.json");
  let student: TrainConfig;
  try {
    student = (JSON.parse(readFileSync(runFile, "utf8")) as { config: { student: TrainConfig } }).config.student;
  } catch (error) {
    throw new UsageError(`${runFile}: the run's configuration is needed to rebuild ${checkpoint} and cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const labels = report.data.labels;
  await selectBackend("auto");
  let model;
  try {
    model = modelFromRunCheckpoint(checkpoint, { ...student, seed }, labels);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  try {
    const network = exportableNetwork(model, student.architecture, labels.length);
    if (!network) throw new UsageError(`${checkpoint}: ${student.architecture} is not a network the runtime's layer graph can express`);
    return { network, labels, normalization: { scale: 1, offset: 0 }, model: { name: `fold ${fold}` } };
  } finally {
    model.dispose();
  }
}

export async function runPublish(options: PublishOptions): Promise<PublishOutcome> {
  if (options.crops !== undefined) {
    try {
      cropPolicyShape(options.crops, "--crops");
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const reportFile = resolve(options.cvReport);
  const report = readReport(reportFile);
  const fold = report.results.folds.find((f) => f.fold === options.fold);
  if (!fold) throw new UsageError(`--fold ${options.fold}: ${reportFile} has folds ${report.results.folds.map((f) => f.fold).join(", ")}`);
  const weights = await foldWeights(report, options.fold, fold.studentSeed);
  const split = report.split.protocol === "predefined" ? "the dataset's own split" : `${report.split.protocol} ${report.split.folds}-fold, fold ${options.fold}`;
  const card: ModelInfo = {
    name: options.name ?? `${report.training.architecture} trained on ${report.data.name}`,
    ...(options.weightsVersion ? { version: options.weightsVersion } : {}),
    ...(options.description ? { description: options.description } : {}),
    ...(options.license ? { license: options.license } : {}),
    ...(options.crops ? { crops: options.crops } : {}),
    source: "microexp-train publish (a cross-validation fold's network)",
    architecture: report.training.architecture,
    data: {
      dataset: report.data.dataset, name: report.data.name, labels: report.data.labels, manifestHash: report.data.manifestHash,
      trainImages: fold.trainImages, testImages: fold.testImages,
    },
    protocol: `trained on the ${fold.trainImages} training faces of ${split} only; tested on its ${fold.testImages} test faces, never trained or selected on`,
    training: { description: describeTraining(portableTraining(report.training)), seed: fold.studentSeed, epochs: fold.epochs, finalLoss: fold.finalLoss },
    heldOutAccuracy: {
      crop: fold.cropAccuracy, vote: fold.voteAccuracy, inferenceCrop: fold.inferenceCropAccuracy,
      ...(fold.policies ? { cropPolicies: fold.policies } : {}),
    },
    versions: report.run.versions,
    machine: { cpu: report.run.machine.cpu, cores: report.run.machine.cores },
    // A shipped card names no folder of the machine it was made on.
    command: ["microexp-train", ...report.run.command.argv.map(portableArgument)].map(quote).join(" "),
  };
  let bytes: Uint8Array;
  try {
    bytes = encodeWeights(weights.network, {
      labels: weights.labels, normalization: weights.normalization, model: card, dtype: options.float16 ? "float16" : "float32",
      ...(options.formatVersion ? { formatVersion: options.formatVersion } : {}),
    });
  } catch (error) {
    // Only version 2 can refuse a sound network (one outside the paper's family): say which option did it.
    if (options.formatVersion !== 2) throw error;
    throw new UsageError(`--format-version 2: ${(error as Error).message}`);
  }
  const out = resolve(options.out);
  decodeWeights(bytes, out); // what infer will read: checked before it is written
  writeFileAtomic(out, bytes);
  return { file: out, bytes: bytes.length, card };
}
