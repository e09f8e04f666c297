/**
 * Trains a family member on the 8 crops of every training face, with cross-entropy or the
 * paper's distillation loss, Adam and dropout; checkpoints at every epoch end and resumes.
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { buildFamilyModel, buildTeacher } from "@microexp/models";
import { isArchitectureId, ARCHITECTURE_ALIASES } from "@microexp/infer";
import type { CropSet } from "./crop-set.js";
import { CROP_PIXELS, CROPS_PER_IMAGE, gatherInputs } from "./crop-set.js";
import type { DistillationOptions } from "./losses.js";
import { distillationLoss, labelLoss } from "./losses.js";
import { SeededRandom } from "./random.js";
import type { SavedTensor } from "./checkpoint.js";
import { readCheckpoint, writeCheckpoint } from "./checkpoint.js";
import type { InitWeights } from "./init-weights.js";
import { initFromWeights } from "./init-weights.js";

export interface TrainConfig {
  /** A family member ("microexpnet", "p1-M", ...) or a teacher ("vgg-small", "inception-v3"). */
  architecture: string;
  epochs: number;
  seed: number;
  batchSize?: number;
  learningRate?: number;
  /** Dropout rate after fc1 (paper: 0.5 for candidates, 0 for the final model). */
  dropout?: number;
  /** With teacher logits: the KD loss options (T, lambda). */
  distillation?: DistillationOptions;
  /** Start from these trained weights (same family member) instead of random ones. */
  init?: InitWeights;
}

export interface TrainProgress {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
}

export interface TrainHooks {
  onProgress?: (progress: TrainProgress) => void;
  /** Checkpoint file: resumed from when present, rewritten at each epoch end. */
  checkpointPath?: string;
  /** Stops after the current step (the last checkpoint stays valid). */
  signal?: AbortSignal;
}

export interface TrainResult {
  model: tfl.LayersModel;
  history: Array<{ epoch: number; loss: number }>;
  /** Epochs run by this call (less than config.epochs when resumed). */
  epochsRun: number;
  samplesPerSecond: number;
}

/** Everything that changes what training computes, so a checkpoint is only resumed by the same run. */
export function configKey(config: TrainConfig, data: CropSet, teacher?: Float32Array): string {
  const { architecture, seed, batchSize = 64, learningRate = 1e-4, dropout = 0.5, distillation, init } = config;
  return JSON.stringify({
    architecture, seed, batchSize, learningRate, dropout, distillation: distillation ?? null, images: data.count, classes: data.labelNames,
    teacher: teacher ? teacher.length : 0, ...(init ? { init: init.sha256 } : {}),
  });
}

function toSaved(list: Array<{ name: string; tensor: tf.Tensor }>): SavedTensor[] {
  return list.map(({ name, tensor }) => ({ name, shape: tensor.shape, values: Float32Array.from(tensor.dataSync()) }));
}

/** Adam's step count and moments; getWeights makes a fresh tensor for the step count, disposed here. */
async function optimizerSlots(optimizer: tf.Optimizer): Promise<SavedTensor[]> {
  const weights = await optimizer.getWeights();
  const saved = toSaved(weights);
  weights[0].tensor.dispose();
  return saved;
}

export function isFamilyMember(name: string): boolean {
  return isArchitectureId(name) || name in ARCHITECTURE_ALIASES;
}

function buildTrainable(name: string, options: { numClasses: number; dropout: number; seed: number }): tfl.LayersModel {
  return isFamilyMember(name) ? buildFamilyModel(name, options) : buildTeacher(name, options);
}

export async function trainStudent(data: CropSet, config: TrainConfig, hooks: TrainHooks = {}, teacherLogits?: Float32Array): Promise<TrainResult> {
  const numClasses = data.labelNames.length;
  const batchSize = config.batchSize ?? 64;
  if (config.distillation && !teacherLogits) throw new Error("distillation options were given without teacher logits");
  if (teacherLogits && teacherLogits.length !== data.count * CROPS_PER_IMAGE * numClasses) {
    throw new Error(`teacher logits hold ${teacherLogits.length} values; ${data.count} images x 8 crops x ${numClasses} classes needs ${data.count * CROPS_PER_IMAGE * numClasses}`);
  }
  const model = buildTrainable(config.architecture, { numClasses, dropout: config.dropout ?? 0.5, seed: config.seed });
  if (config.init) {
    if (!isFamilyMember(config.architecture)) throw new Error(`initial weights are only supported for family members, not ${config.architecture}`);
    initFromWeights(model, config.architecture, data.labelNames, config.init);
  }
  const optimizer = tf.train.adam(config.learningRate ?? 1e-4);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const key = configKey(config, data, teacherLogits);
  const random = new SeededRandom(config.seed);
  let history: TrainResult["history"] = [];
  let startEpoch = 0;

  const saved = hooks.checkpointPath ? readCheckpoint(hooks.checkpointPath) : undefined;
  if (saved) {
    if (saved.configKey !== key) throw new Error(`${hooks.checkpointPath}: made by a different configuration; delete it or use another run folder`);
    if (saved.model.length !== variables.length) throw new Error(`${hooks.checkpointPath}: holds ${saved.model.length} model tensors, ${config.architecture} has ${variables.length}`);
    tf.tidy(() => variables.forEach((v, i) => v.assign(tf.tensor(saved.model[i].values, saved.model[i].shape))));
    // setWeights copies each tensor into a new variable, so the tensors given to it are disposed after.
    const slots = saved.optimizer.map((t) => ({ name: t.name, tensor: tf.tensor(t.values, t.shape) }));
    await optimizer.setWeights(slots);
    tf.dispose(slots.map((s) => s.tensor));
    random.restore(saved.rngState);
    history = saved.history;
    startEpoch = saved.epoch;
  }

  const samples = data.count * CROPS_PER_IMAGE;
  const steps = Math.ceil(samples / batchSize);
  const input = new Float32Array(batchSize * CROP_PIXELS);
  const labels = new Int32Array(batchSize);
  const soft = new Float32Array(batchSize * numClasses);
  const started = performance.now();
  let trained = 0;
  let epoch = startEpoch;
  for (; epoch < config.epochs && !hooks.signal?.aborted; epoch++) {
    const order = random.permutation(samples);
    let lossSum = 0;
    for (let step = 0; step < steps; step++) {
      if (hooks.signal?.aborted) break;
      const batch = order.subarray(step * batchSize, Math.min(samples, (step + 1) * batchSize));
      const n = batch.length;
      gatherInputs(data, batch, input);
      for (let k = 0; k < n; k++) {
        labels[k] = data.labels[Math.floor(batch[k] / CROPS_PER_IMAGE)];
        if (teacherLogits) soft.set(teacherLogits.subarray(batch[k] * numClasses, (batch[k] + 1) * numClasses), k * numClasses);
      }
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(input.subarray(0, n * CROP_PIXELS), [n, 84, 84, 1]);
        const y = tf.tensor1d(labels.subarray(0, n), "int32");
        const t = teacherLogits ? tf.tensor2d(soft.subarray(0, n * numClasses), [n, numClasses]) : undefined;
        return optimizer.minimize(() => {
          const logits = model.apply(x, { training: true }) as tf.Tensor2D;
          return t && config.distillation ? distillationLoss(logits, t, y, config.distillation) : labelLoss(logits, y);
        }, true, variables)!;
      });
      const value = (await loss.data())[0];
      loss.dispose();
      if (!Number.isFinite(value)) throw new Error(`training diverged: loss ${value} at epoch ${epoch + 1}, step ${step + 1}`);
      lossSum += value * n;
      trained += n;
      hooks.onProgress?.({ epoch: epoch + 1, epochs: config.epochs, step: step + 1, steps, loss: value });
    }
    if (hooks.signal?.aborted) break;
    history.push({ epoch: epoch + 1, loss: lossSum / samples });
    if (hooks.checkpointPath) {
      writeCheckpoint(hooks.checkpointPath, {
        configKey: key, epoch: epoch + 1, rngState: random.seedState, history,
        model: toSaved(variables.map((v) => ({ name: v.name, tensor: v }))),
        optimizer: await optimizerSlots(optimizer),
      });
    }
  }
  optimizer.dispose();
  const seconds = (performance.now() - started) / 1000;
  return { model, history, epochsRun: epoch - startEpoch, samplesPerSecond: seconds > 0 ? trained / seconds : 0 };
}
