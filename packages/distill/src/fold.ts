/**
 * One cross-validation fold: (optionally) train the teacher on the training faces and cache
 * its logits, train the student, evaluate it on the test faces, and write the result. Every
 * stage leaves a file behind, so a fold that is run again resumes where it stopped and a
 * finished fold is never redone.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { encodeWeights } from "@microexp/infer";
import { writeFileAtomic } from "@microexp/models/node";
import type { BackendPreference } from "./backend/index.js";
import type { CropSet } from "./crop-set.js";
import { CROPS_PER_IMAGE, subsetCropSet } from "./crop-set.js";
import type { Metrics, ModelRunner, RunnerKind } from "./evaluate.js";
import { createRunner, exportableNetwork, metricsFromLogits, predictCrops, predictModelCrops } from "./evaluate.js";
import type { TrainConfig, TrainProgress } from "./train.js";
import { modelFromCheckpoint, trainStudent, type OnlineTeacher } from "./train.js";

export interface TeacherJob {
  config: TrainConfig;
  /**
   * A finished run's checkpoint of `config`, trained on this fold's training faces: its
   * network is the teacher and nothing is trained (e.g. a teacher trained once, on its own).
   */
  checkpoint?: string;
  /** Where the teacher's logits are cached (may be shared by many runs: the key says what they are). */
  cacheDir: string;
}

export interface FoldJob {
  fold: number;
  /** The fold's files go to runDir/fold-<fold>/. */
  runDir: string;
  train: number[];
  test: number[];
  student: TrainConfig;
  /**
   * With a teacher: its training configuration; its logits are cached in cacheDir (with
   * `student.onlineTeacher`, for its metrics: the student distils from its network).
   */
  teacher?: TeacherJob;
  /** Hash of the data (manifest) the crop set was made from: part of the teacher cache key. */
  dataHash: string;
  /** Threads computing each batch (data-parallel; default 1) and the backend their workers take. */
  threads?: number;
  backend?: BackendPreference;
}

export interface FoldResult {
  fold: number;
  metrics: Metrics;
  teacherMetrics?: Metrics;
  history: Array<{ epoch: number; loss: number }>;
  trainSeconds: number;
  samplesPerSecond: number;
  /** The tfjs backend the student trained on. */
  backend: string;
  /** What computed the test logits (absent in results written before it was recorded). */
  evaluatedVia?: RunnerKind;
  /** Threads that computed each batch. */
  threads?: number;
}

export type FoldEvent = { stage: "teacher" | "student"; progress: TrainProgress };

/** The teacher's logits on a fold's training crops depend on the teacher's config, the data and the fold. */
export function teacherCacheKey(teacher: TrainConfig, dataHash: string, train: readonly number[], checkpointSha256?: string): string {
  return createHash("sha256").update(JSON.stringify({ teacher, dataHash, train, ...(checkpointSha256 ? { checkpointSha256 } : {}) })).digest("hex").slice(0, 24);
}

/** The cache file of a teacher's logits (the metrics sit beside it, in `<file>.metrics.json`). */
export function teacherCacheFile(teacher: TeacherJob, dataHash: string, train: readonly number[]): string {
  const checkpointSha256 = teacher.checkpoint ? createHash("sha256").update(readFileSync(teacher.checkpoint)).digest("hex") : undefined;
  return join(teacher.cacheDir, `teacher-${teacher.config.architecture}-${teacherCacheKey(teacher.config, dataHash, train, checkpointSha256)}.f32`);
}

export interface TeacherLogits {
  /** (image * 8 + crop) * classes + class, over the training images. */
  logits: Float32Array;
  /** The teacher's accuracy on the held-out images, when there were any. */
  metrics?: Metrics;
  cacheFile: string;
  /** True when the logits were read from the cache rather than computed. */
  fromCache: boolean;
}

export interface TeacherOptions {
  /** Held-out images to report the teacher's accuracy on (never used for training). */
  testSet?: CropSet;
  /** The teacher's training checkpoint (so an interrupted teacher resumes). */
  checkpointPath?: string;
  onEvent?: (event: FoldEvent) => void;
  signal?: AbortSignal;
  threads?: number;
  backend?: BackendPreference;
}

/**
 * Trains the teacher on `trainSet` (the images `train` of the data with hash `dataHash`) and
 * returns its logits on every training crop, computed once and then read from the cache.
 */
export async function cachedTeacherLogits(trainSet: CropSet, train: readonly number[], teacher: TeacherJob, dataHash: string, options: TeacherOptions = {}): Promise<TeacherLogits> {
  const cacheFile = teacherCacheFile(teacher, dataHash, train);
  const metricsFile = `${cacheFile}.metrics.json`;
  const numClasses = trainSet.labelNames.length;
  if (existsSync(cacheFile) && existsSync(metricsFile)) {
    const bytes = readFileSync(cacheFile);
    const expected = trainSet.count * CROPS_PER_IMAGE * numClasses * 4;
    if (bytes.length !== expected) throw new Error(`${cacheFile}: holds ${bytes.length} bytes, expected ${expected}; delete it to recompute`);
    const metrics = readTeacherMetrics(metricsFile);
    const logits = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    return { logits, ...(metrics ? { metrics } : {}), cacheFile, fromCache: true };
  }
  return withFinishedTeacher(trainSet, teacher, options, (runner) => {
    const logits = predictCrops(runner, trainSet);
    const metrics = writeTeacherMetrics(runner, options.testSet, metricsFile);
    writeFileAtomic(cacheFile, new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength));
    return { logits, ...(metrics ? { metrics } : {}), cacheFile, fromCache: false };
  });
}

/**
 * The teacher trained (or resumed) as cachedTeacherLogits does and its held-out accuracy,
 * without its logits on the training crops: what a fold with an online teacher needs, which
 * runs the teacher on every augmented sample instead (FER2013: 229,672 crops not predicted).
 */
export async function cachedTeacherMetrics(trainSet: CropSet, train: readonly number[], teacher: TeacherJob, dataHash: string, options: TeacherOptions = {}): Promise<Omit<TeacherLogits, "logits">> {
  const cacheFile = teacherCacheFile(teacher, dataHash, train);
  const metricsFile = `${cacheFile}.metrics.json`;
  if (existsSync(metricsFile)) {
    const metrics = readTeacherMetrics(metricsFile);
    return { ...(metrics ? { metrics } : {}), cacheFile, fromCache: true };
  }
  return withFinishedTeacher(trainSet, teacher, options, (runner) => {
    const metrics = writeTeacherMetrics(runner, options.testSet, metricsFile);
    return { ...(metrics ? { metrics } : {}), cacheFile, fromCache: false };
  });
}

/** The teacher's held-out accuracy, written to its cache: reported, never used (the student trains on training faces only). */
function writeTeacherMetrics(runner: ModelRunner, testSet: CropSet | undefined, file: string): Metrics | undefined {
  const metrics = testSet ? metricsFromLogits(predictCrops(runner, testSet), testSet.labels, testSet.labelNames.length) : undefined;
  writeFileAtomic(file, JSON.stringify(metrics ?? null));
  return metrics;
}

function readTeacherMetrics(file: string): Metrics | undefined {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as Metrics | null) ?? undefined;
  } catch (error) {
    throw new Error(`${file}: not a readable teacher metrics file (${(error as Error).message}); delete it to recompute`);
  }
}

/** Loads the teacher's checkpoint, or trains it (resuming from options.checkpointPath), and hands it to `use`. */
async function withFinishedTeacher<T>(trainSet: CropSet, teacher: TeacherJob, options: TeacherOptions, use: (runner: ModelRunner) => T): Promise<T> {
  const { config } = teacher;
  const trained = teacher.checkpoint ? { model: modelFromCheckpoint(teacher.checkpoint, config, trainSet) } : await trainStudent(trainSet, config, {
    ...(options.threads ? { threads: options.threads } : {}), ...(options.backend ? { backend: options.backend } : {}),
    ...(options.checkpointPath ? { checkpointPath: options.checkpointPath } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (progress) => options.onEvent?.({ stage: "teacher", progress }),
  });
  try {
    // An interrupted teacher is not finished: nothing of it may be cached.
    options.signal?.throwIfAborted();
    const runner = await createRunner(trained.model, config.architecture, trainSet.labelNames.length);
    try {
      return use(runner);
    } finally {
      runner.dispose();
    }
  } finally {
    trained.model.dispose();
  }
}

function onlineTeacherOf(job: FoldJob, foldDir: string): OnlineTeacher {
  if (!job.teacher) throw new Error(`fold ${job.fold}: an online teacher needs a teacher`);
  const checkpoint = job.teacher.checkpoint ?? join(foldDir, "teacher.ckpt");
  if (!existsSync(checkpoint)) {
    throw new Error(`fold ${job.fold}: an online teacher needs the teacher's checkpoint, and ${checkpoint} is missing ` +
      "(its logits came from the cache of another run); give the teacher as a finished run instead");
  }
  return { checkpoint, config: job.teacher.config };
}

/** The result of a finished fold, or undefined when the fold has not finished. */
export function readFoldResult(runDir: string, fold: number): FoldResult | undefined {
  const file = join(runDir, `fold-${fold}`, "result.json");
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as FoldResult;
  } catch (error) {
    throw new Error(`${file}: not a readable fold result (${(error as Error).message}); delete it to run the fold again`);
  }
}

/**
 * Runs one fold, resuming from its files. Aborting `signal` stops training after the current
 * step and rejects with the signal's reason; the last epoch checkpoint stays valid.
 */
export async function runFold(data: CropSet, job: FoldJob, onEvent?: (event: FoldEvent) => void, signal?: AbortSignal): Promise<FoldResult> {
  const done = readFoldResult(job.runDir, job.fold);
  if (done) return done;
  signal?.throwIfAborted();
  const foldDir = join(job.runDir, `fold-${job.fold}`);
  mkdirSync(foldDir, { recursive: true });
  const parallel = { ...(job.threads ? { threads: job.threads } : {}), ...(job.backend ? { backend: job.backend } : {}) };
  const trainSet = subsetCropSet(data, job.train);
  const testSet = subsetCropSet(data, job.test);
  const teacherOptions: TeacherOptions = {
    testSet, checkpointPath: join(foldDir, "teacher.ckpt"), ...parallel, ...(onEvent ? { onEvent } : {}), ...(signal ? { signal } : {}),
  };
  // An online teacher runs on each augmented sample: its logits on the fixed crops are not needed.
  const cached = job.teacher && !job.student.onlineTeacher
    ? await cachedTeacherLogits(trainSet, job.train, job.teacher, job.dataHash, teacherOptions) : undefined;
  const teacherMetrics = job.teacher && job.student.onlineTeacher
    ? (await cachedTeacherMetrics(trainSet, job.train, job.teacher, job.dataHash, teacherOptions)).metrics : cached?.metrics;
  const online = job.student.onlineTeacher ? onlineTeacherOf(job, foldDir) : undefined;
  const started = performance.now();
  const trained = await trainStudent(trainSet, job.student, {
    checkpointPath: join(foldDir, "student.ckpt"), ...parallel,
    onProgress: (progress) => onEvent?.({ stage: "student", progress }),
    ...(signal ? { signal } : {}),
  }, online ?? cached?.logits);
  try {
    signal?.throwIfAborted();
    const numClasses = data.labelNames.length;
    const predicted = await predictModelCrops(trained.model, job.student.architecture, testSet, true);
    const metrics = metricsFromLogits(predicted.logits, testSet.labels, numClasses, predicted.mirrored);
    const network = exportableNetwork(trained.model, job.student.architecture, numClasses);
    if (network) writeFileAtomic(join(foldDir, "student.mxw"), encodeWeights(network, { labels: data.labelNames, model: { name: `fold ${job.fold}` } }));
    const result: FoldResult = {
      fold: job.fold, metrics, ...(teacherMetrics ? { teacherMetrics } : {}),
      history: trained.history, trainSeconds: (performance.now() - started) / 1000, samplesPerSecond: trained.samplesPerSecond,
      backend: tf.getBackend(), evaluatedVia: predicted.via, threads: job.threads ?? 1,
    };
    writeFileAtomic(join(foldDir, "result.json"), JSON.stringify(result, null, 1));
    return result;
  } finally {
    trained.model.dispose();
  }
}
