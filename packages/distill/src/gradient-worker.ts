// A gradient worker for data-parallel training: tfjs's wasm backend is single-threaded in
// Node, so a run uses the other cores through workers that each compute the gradients of
// their share of every batch, against the weights the main thread publishes after each update.
import { parentPort, workerData } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "./backend/index.js";
import type { GradientStep, GradientWorkerInit, GradientWorkerMessage } from "./data-parallel.js";
import { shareGradients, seedDropout, teacherLogitsInto } from "./gradients.js";
import { allocateBatch, fillBatch } from "./samples.js";
import { buildTrainable } from "./trainable.js";
import { loadOnlineTeacher } from "./train.js";

const init = workerData as GradientWorkerInit;
const port = parentPort!;

async function main(): Promise<void> {
  try {
    const backend = await selectBackend(init.backend);
    const model = buildTrainable(init.architecture, init.build);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const weights = new Float32Array(init.weights);
    const gradients = new Float32Array(init.gradients);
    const published = new Int32Array(init.version);
    const batch = allocateBatch(init.batchSize, init.setup.classes);
    const teacher = init.onlineTeacher ? await loadOnlineTeacher(init.onlineTeacher, init.data) : undefined;
    const source = { data: init.data, ...(init.teacherLogits ? { teacherLogits: init.teacherLogits } : {}), ...(init.softTargets ? { softTargets: init.softTargets } : {}) };
    port.postMessage({ type: "ready", backend: backend.name } satisfies GradientWorkerMessage);
    port.on("message", (step: GradientStep) => {
      try {
        // The batch (and an online teacher's logits) first: they need no new weights, so they are ready when the update is.
        fillBatch(source, init.recipe, init.seed, step.epoch, step.position, step.ids, batch);
        if (teacher) teacherLogitsInto(teacher, batch, step.ids.length);
        waitForWeights(published, step.weightsVersion);
        let offset = 0;
        tf.tidy(() => {
          for (const v of variables) {
            v.assign(tf.tensor(weights.subarray(offset, offset + v.size), v.shape));
            offset += v.size;
          }
        });
        seedDropout(model, step.dropoutSeed);
        const share = shareGradients(model, variables, batch, step.ids.length, step.weight, init.setup);
        offset = 0;
        for (const g of share.gradients) {
          gradients.set(g.dataSync(), offset);
          offset += g.size;
        }
        tf.dispose(share.gradients);
        port.postMessage({ type: "done", loss: share.loss } satisfies GradientWorkerMessage);
      } catch (error) {
        port.postMessage({ type: "error", message: (error as Error).stack ?? String(error) } satisfies GradientWorkerMessage);
      }
    });
  } catch (error) {
    port.postMessage({ type: "error", message: (error as Error).stack ?? String(error) } satisfies GradientWorkerMessage);
  }
}

/** Blocks until the main thread has published the weights `version` times (terminate() ends a wait). */
function waitForWeights(published: Int32Array, version: number): void {
  for (let seen = Atomics.load(published, 0); seen < version; seen = Atomics.load(published, 0)) Atomics.wait(published, 0, seen);
}

// No top-level await: this file is also built as CommonJS.
void main();
