/**
 * Trains a network on the crops of every training face: the paper's recipe (its 8 fixed
 * crops, cross-entropy or its distillation loss, Adam) and, as options, the in-the-wild
 * recipe (one augmented crop per face and epoch, label smoothing, soft targets, weight
 * decay, learning-rate schedules, selection and early stopping on a validation set).
 * Uses several threads when asked (data-parallel), checkpoints at every epoch end and
 * resumes exactly.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { AugmentOptions } from "./augment.js";
import { sampleSeed } from "./augment.js";
import type { BackendPreference } from "./backend/index.js";
import type { CropSet } from "./crop-set.js";
import { CROPS_PER_IMAGE } from "./crop-set.js";
import { meanOverCrops, type TeacherCropTargets } from "./teacher-crops.js";
import type { DistillationOptions } from "./losses.js";
import type { OptimizerOptions } from "./optimizer.js";
import { createOptimizer } from "./optimizer.js";
import { GradientPool, shareSizes, type GradientStep } from "./data-parallel.js";
import type { ModelRunner } from "./evaluate.js";
import { createRunner, metricsFromLogits, predictModelCrops } from "./evaluate.js";
import { seedDropout, shareGradients, teacherLogitsInto, type LossSetup } from "./gradients.js";
import { SeededRandom } from "./random.js";
import type { EpochSampling, SampleRecipe } from "./samples.js";
import { allocateBatch, epochOrder, fillBatch, samplesPerEpoch, usesTargets } from "./samples.js";
import type { LearningRateSchedule, PlateauState } from "./schedule.js";
import { plateauStep, scheduledRate } from "./schedule.js";
import type { CheckpointState, SavedTensor } from "./checkpoint.js";
import { isCheckpointFile, readCheckpoint, writeCheckpoint } from "./checkpoint.js";
import type { InitWeights } from "./init-weights.js";
import { initFromWeights } from "./init-weights.js";
import { isFamilyMember } from "@microexp/models";
import { buildOptionsOf, buildTrainable } from "./trainable.js";


export interface TrainConfig {
  /** A family member ("microexpnet", "p1-M", ...) or a teacher ("vgg-small", "inception-v3"). */
  architecture: string;
  epochs: number;
  seed: number;
  batchSize?: number;
  /** The optimizer's (peak) learning rate (default 1e-4, the paper's, for Adam). */
  learningRate?: number;
  /** Default Adam (the paper's); SGD with (Nesterov) momentum is the other choice. */
  optimizer?: OptimizerOptions;
  /** Dropout rate after fc1 (paper: 0.5 for candidates, 0 for the final model). */
  dropout?: number;
  /** With teacher logits: the KD loss options (T, lambda). */
  distillation?: DistillationOptions;
  /** Start from these trained weights (same family member) instead of random ones. */
  init?: InitWeights;
  /** What an epoch is (default "all-crops", the paper's). */
  sampling?: EpochSampling;
  /** On-the-fly augmentation of each sample (default: none, the paper's fixed crops). */
  augment?: AugmentOptions;
  /** Label smoothing epsilon (default 0). */
  labelSmoothing?: number;
  /** Weight of the faces' soft targets (CropSet.softTargets) in the label term (default 0). */
  softTargetWeight?: number;
  /** Decoupled weight decay (AdamW, or SGD's decoupled form; default 0). */
  weightDecay?: number;
  /** Learning-rate schedule (default constant). "plateau" needs a validation set. */
  schedule?: LearningRateSchedule;
  /** Stop after this many epochs without a better validation loss (needs a validation set). */
  earlyStoppingPatience?: number;
  /** Family members: pixels times this before conv1 (default 1, the paper's raw 0..255; exports fold it into conv1). */
  inputScale?: number;
  /** Family members: std of the bias initializer (default 0.5, the paper's). */
  biasStddev?: number;
  /**
   * With distillation: the teacher is a network run on every sample as the student sees it
   * (an OnlineTeacher), not logits cached per crop. runFold passes the fold's teacher so.
   */
  onlineTeacher?: boolean;
  /** With cached teacher logits: each crop's own (default) or its face's mean over the 8 crops. */
  teacherCrops?: TeacherCropTargets;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  /** This step's batch loss (noisy: the last batch of an epoch may be small). */
  loss: number;
  /** The mean loss over the epoch's samples so far: at its last step, the epoch's loss in the history. */
  epochLoss: number;
}

export interface EpochSummary {
  epoch: number;
  loss: number;
  learningRate: number;
  /** Mean loss and crop-averaged accuracy on the validation set, when there is one. */
  validationLoss?: number;
  validationAccuracy?: number;
}

export interface TrainHooks {
  onProgress?: (progress: TrainProgress) => void;
  onEpoch?: (summary: EpochSummary) => void;
  /** Checkpoint file: resumed from when present, rewritten at each epoch end. */
  checkpointPath?: string;
  /** Stops after the current step (the last checkpoint stays valid). */
  signal?: AbortSignal;
  /**
   * Faces to select on: evaluated after every epoch; the returned model is the epoch with the
   * lowest validation loss. Never trained on.
   */
  validation?: CropSet;
  /** Threads computing each batch (data-parallel; default 1). Results equal one thread's up to float rounding. */
  threads?: number;
  /** The backend the gradient workers select (default "auto", as the caller's). */
  backend?: BackendPreference;
}

/**
 * A teacher that runs on every sample as the student sees it, augmentation included, instead
 * of logits cached per untransformed crop: a consistent teacher (Beyer et al. 2022, "Knowledge
 * distillation: A good teacher is patient and consistent"). A finished run's checkpoint of
 * `config`, trained on the student's training faces (checked when it is loaded).
 */
export interface OnlineTeacher {
  checkpoint: string;
  config: TrainConfig;
}

/**
 * The online teacher's network (every training thread loads its own), run as createRunner
 * runs a trained model (dsnet on @microexp/infer's WebAssembly engine).
 */
export async function loadOnlineTeacher(teacher: OnlineTeacher, data: CropSet): Promise<ModelRunner> {
  const model = modelFromCheckpoint(teacher.checkpoint, teacher.config, data);
  const runner = await createRunner(model, teacher.config.architecture, data.labelNames.length);
  return {
    via: runner.via,
    logits: runner.logits,
    dispose: () => {
      runner.dispose();
      model.dispose();
    },
  };
}

/** What a checkpoint's key says of the teacher: how many cached logits, or which online network (its checkpoint's bytes). */
function teacherKey(teacher: Float32Array | OnlineTeacher | undefined): number | { online: string } {
  if (teacher === undefined) return 0;
  if (teacher instanceof Float32Array) return teacher.length;
  return { online: createHash("sha256").update(readFileSync(teacher.checkpoint)).digest("hex") };
}

export interface TrainResult {
  model: tfl.LayersModel;
  history: EpochSummary[];
  /** Epochs run by this call (less than config.epochs when resumed or stopped early). */
  epochsRun: number;
  /** The epoch whose weights the model holds (the best on validation, else the last). */
  selectedEpoch: number;
  samplesPerSecond: number;
}

function floatsDigest(values: Float32Array | undefined): string | null {
  if (!values) return null;
  let h = 0;
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0; i < bytes.length; i++) h = (Math.imul(h, 31) + bytes[i]) | 0;
  return `${values.length}:${h >>> 0}`;
}

/** Everything that changes what training computes, so a checkpoint is only resumed by the same run. */
export function configKey(config: TrainConfig, data: CropSet, teacher?: Float32Array | OnlineTeacher, validation?: CropSet): string {
  const { architecture, seed, batchSize = 64, learningRate = 1e-4, dropout = 0.5, distillation, init } = config;
  return JSON.stringify({
    architecture, seed, batchSize, learningRate, dropout, distillation: distillation ?? null, images: data.count, classes: data.labelNames,
    teacher: teacherKey(teacher), ...(init ? { init: init.sha256 } : {}),
    ...(config.optimizer?.kind === "sgd" ? { optimizer: { kind: "sgd", momentum: config.optimizer.momentum ?? 0.9, nesterov: config.optimizer.nesterov ?? true } } : {}),
    recipe: {
      sampling: config.sampling ?? "all-crops", augment: config.augment ?? null, labelSmoothing: config.labelSmoothing ?? 0,
      softTargetWeight: config.softTargetWeight ?? 0, weightDecay: config.weightDecay ?? 0, schedule: config.schedule ?? { kind: "constant" },
      earlyStoppingPatience: config.earlyStoppingPatience ?? null, epochs: config.schedule?.kind === "cosine" ? config.epochs : null,
    },
    soft: floatsDigest(data.softTargets), validation: validation ? validation.count : null,
    ...(config.inputScale !== undefined ? { inputScale: config.inputScale } : {}),
    ...(config.biasStddev !== undefined ? { biasStddev: config.biasStddev } : {}),
    // Only when set: the checkpoints of runs made before the option still resume.
    ...(config.teacherCrops === "mean" ? { teacherCrops: "mean" } : {}),
  });
}

function recipeOf(config: TrainConfig): SampleRecipe {
  return {
    sampling: config.sampling ?? "all-crops",
    ...(config.augment ? { augment: config.augment } : {}),
    labelSmoothing: config.labelSmoothing ?? 0,
    softTargetWeight: config.softTargetWeight ?? 0,
  };
}

/** What a checkpoint keeps beyond weights and moments (format v2). */
interface TrainerState {
  /** The optimizer's step count (named when Adam was the only one: checkpoints keep the name). */
  adamStep: number;
  plateau?: PlateauState;
  best?: { epoch: number; loss: number };
  badEpochs: number;
}

const values = (variables: readonly tf.Variable[]): SavedTensor[] =>
  variables.map((v) => ({ name: v.name, shape: v.shape, values: Float32Array.from(v.dataSync()) }));

function assignAll(variables: readonly tf.Variable[], saved: readonly SavedTensor[], source: string): void {
  if (saved.length !== variables.length) throw new Error(`${source}: holds ${saved.length} model tensors, the network has ${variables.length}`);
  tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(saved[i].values, v.shape))));
}

/** Mean cross-entropy and crop-averaged accuracy of `model` on `set`. */
async function validate(model: tfl.LayersModel, architecture: string, set: CropSet): Promise<{ loss: number; accuracy: number }> {
  const classes = set.labelNames.length;
  const { logits } = await predictModelCrops(model, architecture, set);
  let loss = 0;
  for (let s = 0; s < set.count * CROPS_PER_IMAGE; s++) {
    const row = logits.subarray(s * classes, (s + 1) * classes);
    let max = -Infinity;
    for (const z of row) max = Math.max(max, z);
    let sum = 0;
    for (const z of row) sum += Math.exp(z - max);
    loss += Math.log(sum) + max - row[set.labels[Math.floor(s / CROPS_PER_IMAGE)]];
  }
  return { loss: loss / (set.count * CROPS_PER_IMAGE), accuracy: metricsFromLogits(logits, set.labels, classes).cropAccuracy };
}

/**
 * Trains `config`'s network on `data`. With `config.distillation`, `teacher` is the teacher's
 * logits per (face * 8 + crop), or an online teacher that runs on every augmented sample.
 */
export async function trainStudent(data: CropSet, config: TrainConfig, hooks: TrainHooks = {}, teacher?: Float32Array | OnlineTeacher): Promise<TrainResult> {
  const classes = data.labelNames.length;
  const batchSize = config.batchSize ?? 64;
  const baseRate = config.learningRate ?? 1e-4;
  const schedule = config.schedule ?? { kind: "constant" };
  const recipe = recipeOf(config);
  const threads = Math.max(1, Math.floor(hooks.threads ?? 1));
  const validation = hooks.validation;
  const cachedLogits = teacher instanceof Float32Array ? teacher : undefined;
  const onlineTeacher = teacher instanceof Float32Array ? undefined : teacher;
  if (config.distillation && !teacher) throw new Error("distillation options were given without a teacher (logits or an online teacher)");
  if (teacher && !config.distillation) throw new Error("a teacher was given without distillation options (temperature, lambda)");
  if (config.onlineTeacher && cachedLogits) throw new Error("onlineTeacher asks for the teacher's network, and cached logits were given");
  if (cachedLogits && cachedLogits.length !== data.count * CROPS_PER_IMAGE * classes) {
    throw new Error(`teacher logits hold ${cachedLogits.length} values; ${data.count} images x 8 crops x ${classes} classes needs ${data.count * CROPS_PER_IMAGE * classes}`);
  }
  if (config.teacherCrops === "mean" && !cachedLogits) throw new Error("teacherCrops \"mean\" averages a teacher's cached logits over each face's 8 crops, and none were given");
  const teacherLogits = cachedLogits && config.teacherCrops === "mean" ? meanOverCrops(cachedLogits, classes) : cachedLogits;
  if (recipe.softTargetWeight > 0 && data.softTargets?.length !== data.count * classes) throw new Error(`softTargetWeight ${recipe.softTargetWeight} needs soft targets for each of the ${data.count} faces`);
  if ((schedule.kind === "plateau" || config.earlyStoppingPatience !== undefined) && !validation) {
    throw new Error(`${config.earlyStoppingPatience !== undefined ? "early stopping" : "the plateau schedule"} needs a validation set`);
  }
  const build = buildOptionsOf(config, classes);
  const model = buildTrainable(config.architecture, build);
  if (config.init) {
    if (!isFamilyMember(config.architecture) && !isCheckpointFile(config.init.file)) {
      throw new Error(`${config.init.file}: a weights file holds a family member; start ${config.architecture} from a training checkpoint (.ckpt) instead`);
    }
    initFromWeights(model, config.architecture, data.labelNames, config.init);
  }
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // What a checkpoint keeps: the trainable weights, then state such as batch norm's moving
  // statistics. With several threads the statistics follow this thread's share only (as
  // data-parallel frameworks do by default); every share normalises with its own batch.
  const modelState = [...variables, ...model.nonTrainableWeights.map((w) => w.read() as tf.Variable)];
  const optimizer = createOptimizer(variables, config.optimizer ?? { kind: "adam" }, config.weightDecay ?? 0);
  const key = configKey(config, data, teacher, validation);
  const random = new SeededRandom(config.seed);
  let history: EpochSummary[] = [];
  let startEpoch = 0;
  let state: TrainerState = { adamStep: 0, badEpochs: 0, ...(schedule.kind === "plateau" ? { plateau: { rate: baseRate, best: Infinity, badEpochs: 0 } } : {}) };
  let best: SavedTensor[] | undefined;

  const saved = hooks.checkpointPath ? readCheckpoint(hooks.checkpointPath) : undefined;
  if (saved) {
    if (saved.configKey !== key) throw new Error(`${hooks.checkpointPath}: made by a different configuration; delete it or use another run folder`);
    if (!saved.trainer) throw new Error(`${hooks.checkpointPath}: made by an earlier version of the trainer (tfjs Adam slots); delete it to start this run over`);
    assignAll(modelState, saved.model, hooks.checkpointPath!);
    state = saved.trainer as unknown as TrainerState;
    optimizer.restore(state.adamStep, saved.optimizer);
    if (saved.best.length > 0) best = saved.best;
    random.restore(saved.rngState);
    history = saved.history as EpochSummary[];
    startEpoch = saved.epoch;
  }

  const setup: LossSetup = { classes, useTargets: usesTargets(recipe), ...(config.distillation ? { distillation: config.distillation } : {}) };
  const source = { data, ...(teacherLogits ? { teacherLogits } : {}), ...(data.softTargets ? { softTargets: data.softTargets } : {}) };
  // Loaded before the workers start, so that a teacher that does not fit these faces stops the run at once.
  const teacherRunner = onlineTeacher ? await loadOnlineTeacher(onlineTeacher, data) : undefined;
  const pool = threads > 1
    ? await GradientPool.start(threads - 1, {
      backend: hooks.backend ?? "auto", architecture: config.architecture, build, data,
      ...(teacherLogits ? { teacherLogits } : {}), ...(data.softTargets ? { softTargets: data.softTargets } : {}),
      ...(onlineTeacher ? { onlineTeacher } : {}), recipe, setup, seed: config.seed, batchSize,
    }, variables).catch((error: unknown) => {
      teacherRunner?.dispose();
      throw error;
    })
    : undefined;
  const samples = samplesPerEpoch(data, recipe.sampling);
  const steps = Math.ceil(samples / batchSize);
  const batch = allocateBatch(batchSize, classes);
  const started = performance.now();
  let trained = 0;
  let epoch = startEpoch;
  let epochsRun = 0;
  let stopped = false;
  try {
    for (; epoch < config.epochs && !hooks.signal?.aborted && !stopped; epoch++) {
      const order = epochOrder(random, data, recipe.sampling);
      let lossSum = 0;
      let rate = baseRate;
      /** The step's samples and the workers' shares of them. */
      const shares = (step: number) => {
        const from = step * batchSize;
        const n = Math.min(samples, from + batchSize) - from;
        const ids = order.subarray(from, from + n);
        const sizes = shareSizes(n, threads);
        const jobs: Omit<GradientStep, "weightsVersion">[] = [];
        for (let t = 1, at = sizes[0]; t < threads; at += sizes[t], t++) {
          jobs.push({
            epoch, position: from + at, ids: ids.slice(at, at + sizes[t]), weight: sizes[t] / n,
            dropoutSeed: sampleSeed(config.seed ^ 0x0d0d0d0d, epoch * steps + step, t),
          });
        }
        return { from, n, ids, sizes, jobs };
      };
      /** Sends a step's shares to the workers, to run at the given weights version. */
      const dispatch = (jobs: Omit<GradientStep, "weightsVersion">[], weightsVersion: number): Promise<number[]> => {
        if (!pool) return Promise.resolve([]);
        const answers = pool.run(jobs.map((job) => ({ ...job, weightsVersion })));
        // Awaited in its step; marked handled now so that an error in this thread's share is the one reported.
        answers.catch(() => undefined);
        return answers;
      };
      /** Fills this thread's share of a step into the batch (with an online teacher's logits): it needs no weights. */
      const fillMine = (step: number) => {
        const { from, ids, sizes } = shares(step);
        fillBatch(source, recipe, config.seed, epoch, from, ids.subarray(0, sizes[0]), batch);
        if (teacherRunner) teacherLogitsInto(teacherRunner, batch, sizes[0]);
      };
      let sent: Promise<number[]> | undefined; // the workers' shares of the coming step, already sent
      let filled = -1; // the step whose share the batch holds
      for (let step = 0; step < steps; step++) {
        if (hooks.signal?.aborted) break;
        const { from, n, sizes, jobs } = shares(step);
        rate = scheduledRate(schedule, baseRate, epoch, step / steps, config.epochs, state.plateau?.rate);
        const globalStep = epoch * steps + step;
        const others = sent ?? dispatch(jobs, pool?.version ?? 0);
        // The next step's shares go out now: a worker takes them once done with this step's,
        // fills its batch while this thread finishes and updates, then waits for the weights.
        sent = pool && step + 1 < steps ? dispatch(shares(step + 1).jobs, pool.version + 1) : undefined;
        if (filled !== step) fillMine(step);
        seedDropout(model, sampleSeed(config.seed ^ 0x0d0d0d0d, globalStep, 0));
        const mine = shareGradients(model, variables, batch, sizes[0], sizes[0] / n, setup);
        // This thread's next batch while the workers finish theirs.
        if (pool && step + 1 < steps) {
          fillMine(step + 1);
          filled = step + 1;
        }
        const losses = await others;
        const theirs = jobs.map((_, w) => pool!.gradientsOf(w));
        const gradients = theirs.length === 0 ? mine.gradients : tf.tidy(() => mine.gradients.map((g, i) => theirs.reduce((sum, list) => tf.add(sum, list[i]), g)));
        optimizer.apply(gradients, rate);
        tf.dispose([...mine.gradients, ...gradients, ...theirs.flat()]);
        pool?.publish(variables);
        const value = losses.reduce((a, b) => a + b, mine.loss);
        if (!Number.isFinite(value)) throw new Error(`training diverged: loss ${value} at epoch ${epoch + 1}, step ${step + 1}`);
        lossSum += value * n;
        trained += n;
        hooks.onProgress?.({ epoch: epoch + 1, epochs: config.epochs, step: step + 1, steps, loss: value, epochLoss: lossSum / (from + n) });
      }
      if (hooks.signal?.aborted) break;
      const summary: EpochSummary = { epoch: epoch + 1, loss: lossSum / samples, learningRate: rate };
      if (validation) {
        const v = await validate(model, config.architecture, validation);
        summary.validationLoss = v.loss;
        summary.validationAccuracy = v.accuracy;
        if (state.plateau && schedule.kind === "plateau") state.plateau = plateauStep(schedule, state.plateau, v.loss);
        if (!state.best || v.loss < state.best.loss) {
          state.best = { epoch: epoch + 1, loss: v.loss };
          state.badEpochs = 0;
          best = values(modelState);
        } else {
          state.badEpochs++;
          if (config.earlyStoppingPatience !== undefined && state.badEpochs >= config.earlyStoppingPatience) stopped = true;
        }
      }
      history.push(summary);
      epochsRun++;
      hooks.onEpoch?.(summary);
      state.adamStep = optimizer.step;
      if (hooks.checkpointPath) {
        // An early stop is final: the checkpoint says training ended at this epoch.
        writeCheckpoint(hooks.checkpointPath, {
          configKey: key, epoch: stopped ? config.epochs : epoch + 1, rngState: random.seedState, history,
          model: values(modelState), optimizer: optimizer.saveSlots(), best: best ?? [], trainer: state as unknown as Record<string, unknown>,
        });
      }
    }
  } finally {
    optimizer.dispose();
    teacherRunner?.dispose();
    await pool?.close();
  }
  let selectedEpoch = history.length > 0 ? history[history.length - 1].epoch : 0;
  if (best && state.best) {
    assignAll(modelState, best, "best weights");
    selectedEpoch = state.best.epoch;
  }
  const seconds = (performance.now() - started) / 1000;
  return { model, history, epochsRun, selectedEpoch, samplesPerSecond: seconds > 0 ? trained / seconds : 0 };
}

/**
 * The network a finished training run ended with, rebuilt from its checkpoint: the weights it
 * selected (the best on validation, else the last), batch norm statistics included. `data` must
 * be the faces it trained on: the checkpoint's configuration key is checked against them.
 */
export function modelFromCheckpoint(path: string, config: TrainConfig, data: CropSet): tfl.LayersModel {
  const saved = readCheckpoint(path);
  if (!saved) throw new Error(`${path}: no such checkpoint`);
  if (saved.configKey !== configKey(config, data)) throw new Error(`${path}: made by another configuration or on other faces than the ones given`);
  return restoredModel(path, saved, config, data.labelNames.length);
}

/**
 * The network a finished run's checkpoint holds, without the faces it trained on (e.g. to
 * export a run folder's fold): the checkpoint must have been made by `config`'s network
 * (architecture, seed, dropout, input scaling) for these labels; the data is not checked.
 */
export function modelFromRunCheckpoint(path: string, config: TrainConfig, labelNames: readonly string[]): tfl.LayersModel {
  const saved = readCheckpoint(path);
  if (!saved) throw new Error(`${path}: no such checkpoint`);
  let key: Record<string, unknown>;
  try {
    key = JSON.parse(saved.configKey) as Record<string, unknown>;
  } catch {
    throw new Error(`${path}: its configuration key is not readable`);
  }
  const { architecture, seed, dropout = 0.5 } = config;
  const wanted: Record<string, unknown> = { architecture, seed, dropout, classes: labelNames, inputScale: config.inputScale, biasStddev: config.biasStddev };
  for (const [field, value] of Object.entries(wanted)) {
    if (JSON.stringify(key[field]) !== JSON.stringify(value)) throw new Error(`${path}: made with ${field} ${JSON.stringify(key[field]) ?? "unset"}, the run's configuration says ${JSON.stringify(value) ?? "unset"}`);
  }
  return restoredModel(path, saved, config, labelNames.length);
}

function restoredModel(path: string, saved: CheckpointState, config: TrainConfig, numClasses: number): tfl.LayersModel {
  if (saved.epoch < config.epochs) throw new Error(`${path}: training stopped at epoch ${saved.epoch} of ${config.epochs}; finish the run first`);
  const model = buildTrainable(config.architecture, buildOptionsOf(config, numClasses));
  const state = [...model.trainableWeights, ...model.nonTrainableWeights].map((w) => w.read() as tf.Variable);
  assignAll(state, saved.best.length > 0 ? saved.best : saved.model, path);
  return model;
}
