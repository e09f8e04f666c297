// What a run trains, as the distill package's configs; a name derived from it; and the
// run.json that keeps a run folder from being reused by another configuration.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EpochSampling, TrainConfig } from "@microexp/distill";
import type { DataOptions, LabelSet, Protocol } from "./data.js";
import { labelSetFor } from "./data.js";
import { UsageError } from "./errors.js";
import { safeName, writeFileAtomic } from "./files.js";
import { basename, resolve } from "node:path";

export interface TrainingOptions {
  model: string;
  /** Omitted: vanilla training (cross-entropy only). */
  teacher?: string;
  /** Default: the student's epochs. */
  teacherEpochs?: number;
  teacherDropout: number;
  /** A .mxw file the teacher starts from (fine-tuning), e.g. one trained on FER2013. */
  teacherInit?: string;
  /** A finished cv run folder whose fold networks are the teachers (nothing is trained for them). */
  teacherFrom?: string;
  /** Weights the trained network starts from: a .mxw of the same family member, or a finished run's checkpoint (.ckpt). */
  init?: string;
  temperature: number;
  lambda: number;
  /** Multiply the soft term by T^2 (Hinton et al.; not in the paper). */
  t2: boolean;
  /** The teacher runs on every (augmented) sample the student sees, instead of its logits cached per crop. */
  onlineTeacher?: boolean;
  /** "mean": every training crop is taught with its face's mean of the teacher's cached logits over the 8 crops. */
  teacherCrops?: "mean";
  epochs: number;
  lr: number;
  batch: number;
  dropout: number;
  seed: number;
  /** What an epoch is: the paper's 8 crops of every face, or one (augmented) crop per face. */
  sampling: EpochSampling;
  /** On-the-fly augmentation: "full" (flip, shift, rotation, scale, erasing), "flip" (flips only), or none. */
  augment: false | "full" | "flip";
  labelSmoothing: number;
  /** Per-face soft targets mixed into the label term: "ferplus" = FER+ crowd votes (FER2013 only). */
  softTargets?: "ferplus";
  softWeight: number;
  weightDecay: number;
  /** SGD with momentum instead of Adam (absent: Adam, the paper's). */
  optimizer?: "adam" | "sgd";
  momentum?: number;
  nesterov?: boolean;
  schedule: "constant" | "cosine";
  /** Warm-up epochs of the cosine schedule. */
  warmup: number;
  /** Threads computing each batch of one fold (data-parallel). Default: the cores left per fold. */
  threads?: number;
  /** Family members: train on pixels scaled to 0..1 (exports fold the scale into conv1). */
  unitPixels?: boolean;
  /** Family members: std of the bias initializer (the paper's 0.5 when omitted). */
  biasStd?: number;
}

export const TRAINING_DEFAULTS = {
  model: "microexpnet", teacherDropout: 0.5, temperature: 8, lambda: 0.5, t2: false,
  epochs: 3000, lr: 1e-4, batch: 64, dropout: 0.5, seed: 1,
  sampling: "all-crops", augment: false, labelSmoothing: 0, softWeight: 0.5, weightDecay: 0, schedule: "constant", warmup: 0,
  optimizer: "adam", momentum: 0.9,
} as const;

/** The recipe's options as a report records them. */
export function recipeOptions(options: TrainingOptions): Pick<TrainingOptions, "sampling" | "augment" | "labelSmoothing" | "softTargets" | "softWeight" | "weightDecay" | "optimizer" | "momentum" | "nesterov" | "schedule" | "warmup" | "threads" | "unitPixels" | "biasStd"> {
  return {
    ...(options.optimizer === "sgd" ? { optimizer: "sgd", momentum: options.momentum, nesterov: options.nesterov } : {}),
    ...(options.unitPixels ? { unitPixels: true } : {}), ...(options.biasStd !== undefined ? { biasStd: options.biasStd } : {}),
    sampling: options.sampling, augment: options.augment, labelSmoothing: options.labelSmoothing,
    ...(options.softTargets ? { softTargets: options.softTargets } : {}), softWeight: options.softWeight,
    weightDecay: options.weightDecay, schedule: options.schedule, warmup: options.warmup,
    ...(options.threads ? { threads: options.threads } : {}),
  };
}

/** The in-the-wild recipe's settings of a TrainConfig (nothing when they are the paper's). */
function recipeConfig(options: TrainingOptions): Partial<TrainConfig> {
  return {
    ...(options.sampling !== "all-crops" ? { sampling: options.sampling } : {}),
    ...(options.augment === "full" ? { augment: {} } : {}),
    ...(options.augment === "flip" ? { augment: { flip: true, maxShift: 0, maxRotation: 0, maxScale: 0, erase: 0 } } : {}),
    ...(options.labelSmoothing > 0 ? { labelSmoothing: options.labelSmoothing } : {}),
    ...(options.softTargets ? { softTargetWeight: options.softWeight } : {}),
    ...(options.weightDecay > 0 ? { weightDecay: options.weightDecay } : {}),
    ...(options.optimizer === "sgd" ? { optimizer: { kind: "sgd", ...(options.momentum !== undefined ? { momentum: options.momentum } : {}), ...(options.nesterov !== undefined ? { nesterov: options.nesterov } : {}) } } : {}),
    ...(options.schedule === "cosine" ? { schedule: { kind: "cosine", warmupEpochs: options.warmup } } : {}),
    ...(options.unitPixels ? { inputScale: 1 / 255 } : {}),
    ...(options.biasStd !== undefined ? { biasStddev: options.biasStd } : {}),
  };
}

/** The student's training configuration (fold `offset` adds to the seed, so folds draw different initial weights). */
export function studentConfig(options: TrainingOptions, offset = 0): TrainConfig {
  return {
    architecture: options.model, epochs: options.epochs, seed: options.seed + offset,
    batchSize: options.batch, learningRate: options.lr, dropout: options.dropout, ...recipeConfig(options),
    ...(options.init ? { init: initWeights(options.init, "--init") } : {}),
    ...(options.teacher ? { distillation: { temperature: options.temperature, lambda: options.lambda, scaleByTemperatureSquared: options.t2 } } : {}),
    ...(options.teacher && options.onlineTeacher ? { onlineTeacher: true } : {}),
    ...(options.teacher && options.teacherCrops === "mean" ? { teacherCrops: "mean" } : {}),
  };
}

export function teacherConfig(options: TrainingOptions, offset = 0): TrainConfig | undefined {
  if (!options.teacher) return undefined;
  return {
    architecture: options.teacher, epochs: options.teacherEpochs ?? options.epochs, seed: options.seed + offset,
    batchSize: options.batch, learningRate: options.lr, dropout: options.teacherDropout,
    ...(options.teacherInit ? { init: initWeights(options.teacherInit, "--teacher-init") } : {}),
  };
}

function initWeights(path: string, flag: string): { file: string; sha256: string } {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`${flag} ${path}: no such file`);
  return { file, sha256: createHash("sha256").update(readFileSync(file)).digest("hex") };
}

/** The data folder's (or list's) name, as used in run names. */
export function dataName(options: Pick<DataOptions, "data">): string {
  return basename(resolve(options.data)).replace(/\.[^.]*$/, "") || "data";
}

/** A run folder name that says what the run is, e.g. "ckplus48-random10-microexpnet-kd-p1-M-T8-l0.5-e3000-s1". */
export function runName(parts: { data: DataOptions; training: TrainingOptions; protocol?: Protocol; folds?: number; prefix?: string; temperatureVaries?: boolean }): string {
  const { data, training: t } = parts;
  const labelSet: LabelSet = labelSetFor(data);
  const name: string[] = parts.prefix ? [parts.prefix] : [];
  name.push(dataName(data));
  if (data.labels && data.labels !== "folders") name.push(labelSet);
  if (data.detectFaces !== undefined) name.push(data.detectFaces ? "faces" : "nofaces");
  if (parts.protocol) name.push(parts.protocol === "predefined" ? "predefined" : `${parts.protocol}${parts.folds}`);
  name.push(t.model);
  if (t.teacher) {
    name.push(`kd-${t.teacher}`, ...(parts.temperatureVaries ? [] : [`T${t.temperature}`]), `l${t.lambda}`);
    if (t.t2) name.push("t2");
    if (t.onlineTeacher) name.push("online");
    if (t.teacherCrops === "mean") name.push("tmean");
    if (t.teacherEpochs !== undefined && t.teacherEpochs !== t.epochs) name.push(`te${t.teacherEpochs}`);
    if (t.teacherDropout !== TRAINING_DEFAULTS.teacherDropout) name.push(`td${t.teacherDropout}`);
    if (t.teacherInit) name.push(`from-${basename(t.teacherInit).replace(/\.mxw$/, "")}`);
    if (t.teacherFrom) name.push(`of-${basename(resolve(t.teacherFrom))}`);
  }
  if (t.init) name.push(`init-${basename(t.init).replace(/\.(mxw|ckpt)$/, "")}`);
  name.push(`e${t.epochs}`);
  if (t.lr !== TRAINING_DEFAULTS.lr) name.push(`lr${t.lr}`);
  if (t.batch !== TRAINING_DEFAULTS.batch) name.push(`b${t.batch}`);
  if (t.dropout !== TRAINING_DEFAULTS.dropout) name.push(`d${t.dropout}`);
  if (t.sampling === "one-per-face") name.push("opf");
  if (t.augment) name.push(t.augment === "flip" ? "flip" : "aug");
  if (t.labelSmoothing > 0) name.push(`ls${t.labelSmoothing}`);
  if (t.softTargets) name.push(`${t.softTargets}${t.softWeight}`);
  if (t.weightDecay > 0) name.push(`wd${t.weightDecay}`);
  if (t.optimizer === "sgd") name.push(`sgd${t.momentum !== undefined && t.momentum !== TRAINING_DEFAULTS.momentum ? `-m${t.momentum}` : ""}${t.nesterov === false ? "-plain" : ""}`);
  if (t.schedule === "cosine") name.push(`cos${t.warmup > 0 ? `-w${t.warmup}` : ""}`);
  if (t.unitPixels) name.push("unit");
  if (t.biasStd !== undefined) name.push(`bstd${t.biasStd}`);
  name.push(`s${t.seed}`);
  if (data.limit !== undefined) name.push(`n${data.limit}`);
  return safeName(name.join("-"));
}

/**
 * Records the configuration in runDir/run.json, or checks that the one there is the same:
 * finished folds are reused as they are, so a folder must never mix two configurations.
 */
export function claimRunDir(runDir: string, config: object): void {
  const file = join(runDir, "run.json");
  const wanted = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  if (existsSync(file)) {
    let found: Record<string, unknown>;
    try {
      found = (JSON.parse(readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
    } catch (error) {
      throw new UsageError(`${file}: not a readable run configuration (${(error as Error).message})`);
    }
    const differ = differences(found, wanted);
    if (differ.length === 1 && differ[0] === "contentHash" && found.contentHash === undefined) {
      throw new UsageError(`${runDir} was made before run folders recorded the images' contents (contentHash), so its finished folds ` +
        `may be of other pictures. If the images have not changed since, add "contentHash": "${String(wanted.contentHash)}" to the config in ${file} to resume; ` +
        "else delete that folder to start over");
    }
    if (differ.length > 0) {
      throw new UsageError(`${runDir} holds a run of another configuration (it differs in ${differ.join(", ")}); ` +
        "choose another --run-dir, or delete that folder to start over");
    }
    return;
  }
  writeFileAtomic(file, `${JSON.stringify({ config: wanted }, null, 2)}\n`);
}

/** Paths ("student.learningRate") at which two JSON values differ. */
function differences(a: unknown, b: unknown, path = ""): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) => differences(a[key], b[key], path ? `${path}.${key}` : key));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path || "(everything)"];
}
