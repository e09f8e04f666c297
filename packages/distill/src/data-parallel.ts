/**
 * Data-parallel training over worker threads: each step's batch is cut into one share per
 * thread; the main thread computes the first share's gradients while each worker computes
 * its own; the sum (each share weighted by its size) is the whole batch's gradient, applied
 * once by the main thread, whose new weights the workers read from shared memory.
 * Shares are sent a step ahead (a worker takes them in order): a worker fills its next batch
 * (crops, augmentation) while the main thread fills its own and updates, then waits for the
 * new weights.
 */
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs-core";
import type { BackendPreference } from "./backend/index.js";
import type { CropSet } from "./crop-set.js";
import type { LossSetup } from "./gradients.js";
import type { SampleRecipe } from "./samples.js";
import type { BuildOptions } from "./trainable.js";
import type { OnlineTeacher } from "./train.js";

export interface GradientWorkerInit {
  backend: BackendPreference;
  architecture: string;
  build: BuildOptions;
  data: CropSet;
  teacherLogits?: Float32Array;
  /** Each worker loads its own copy and runs it on its share's augmented inputs. */
  onlineTeacher?: OnlineTeacher;
  softTargets?: Float32Array;
  recipe: SampleRecipe;
  setup: LossSetup;
  seed: number;
  batchSize: number;
  /** The flat weights, all variables in order (written by the main thread). */
  weights: SharedArrayBuffer;
  /** This worker's flat gradients (written by the worker). */
  gradients: SharedArrayBuffer;
  /** One Int32: how many times the main thread published the weights (the workers wait on it). */
  version: SharedArrayBuffer;
}

export interface GradientStep {
  epoch: number;
  /** Place of the share's first sample in the epoch (seeds its random draws). */
  position: number;
  ids: Uint32Array;
  /** The weights this share's gradients are taken at: the pool's version after that many publications. */
  weightsVersion: number;
  /** Share size / batch size. */
  weight: number;
  dropoutSeed: number;
}

export type GradientWorkerMessage =
  | { type: "ready"; backend: string }
  | { type: "done"; loss: number }
  | { type: "error"; message: string };

/** Copies into shared memory, so that workers read it without copies of their own. */
export function shared<T extends Float32Array | Uint8Array | Int32Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Ctor = array.constructor as { new (buffer: SharedArrayBuffer): T };
  const out = new Ctor(new SharedArrayBuffer(array.byteLength));
  out.set(array as never);
  return out;
}

function workerUrl(): URL {
  // Built next to this file by tsup, as .js (ESM) or .cjs (CJS).
  const self = import.meta.url;
  return new URL(self.endsWith(".cjs") ? "./gradient-worker.cjs" : "./gradient-worker.js", self);
}

/** Sizes of `parts` contiguous shares of n samples (the first ones one larger when uneven). */
export function shareSizes(n: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));
}

interface Pending {
  resolve(loss: number): void;
  reject(error: Error): void;
}

export class GradientPool {
  /** Per worker, the shares sent and not answered yet, oldest first (a worker answers in order). */
  private readonly pending: Pending[][];

  private constructor(
    private readonly workers: Worker[],
    private readonly weights: Float32Array,
    private readonly gradients: Float32Array[],
    private readonly shapes: number[][],
    private readonly published: Int32Array,
  ) {
    this.pending = workers.map(() => []);
    workers.forEach((worker, i) => {
      const failAll = (error: Error) => {
        for (const p of this.pending[i].splice(0)) p.reject(error);
      };
      worker.on("message", (message: GradientWorkerMessage) => {
        const p = this.pending[i].shift();
        if (!p) return;
        if (message.type === "done") p.resolve(message.loss);
        else p.reject(new Error(`gradient worker ${i + 1}: ${message.type === "error" ? message.message : "unexpected message"}`));
      });
      worker.on("error", failAll);
      worker.on("exit", (code) => failAll(new Error(`gradient worker ${i + 1} exited (code ${code})`)));
    });
  }

  /** Starts `count` workers; resolves once each has built its model. */
  static async start(count: number, init: Omit<GradientWorkerInit, "weights" | "gradients" | "version">, variables: readonly tf.Variable[]): Promise<GradientPool> {
    const total = variables.reduce((sum, v) => sum + v.size, 0);
    const weights = new Float32Array(new SharedArrayBuffer(total * 4));
    const published = new Int32Array(new SharedArrayBuffer(4));
    const gradients: Float32Array[] = [];
    const workers: Worker[] = [];
    const data: CropSet = { ...init.data, pixels: shared(init.data.pixels), labels: shared(init.data.labels) };
    const common = {
      ...init, data,
      ...(init.teacherLogits ? { teacherLogits: shared(init.teacherLogits) } : {}),
      ...(init.softTargets ? { softTargets: shared(init.softTargets) } : {}),
    };
    try {
      await Promise.all(Array.from({ length: count }, () => {
        const buffer = new SharedArrayBuffer(total * 4);
        gradients.push(new Float32Array(buffer));
        const worker = new Worker(workerUrl(), { workerData: { ...common, weights: weights.buffer, gradients: buffer, version: published.buffer } satisfies GradientWorkerInit });
        workers.push(worker);
        return new Promise<void>((resolve, reject) => {
          worker.once("message", (message: GradientWorkerMessage) => (message.type === "ready" ? resolve() : reject(new Error(`gradient worker failed to start: ${message.type === "error" ? message.message : message.type}`))));
          worker.once("error", reject);
        });
      }));
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    const pool = new GradientPool(workers, weights, gradients, variables.map((v) => v.shape), published);
    pool.publish(variables);
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** How many times the weights were published so far. */
  get version(): number {
    return Atomics.load(this.published, 0);
  }

  /** Writes the current weights where the workers read them (after every update), then wakes the waiting workers. */
  publish(variables: readonly tf.Variable[]): void {
    let offset = 0;
    for (const v of variables) {
      this.weights.set(v.dataSync(), offset);
      offset += v.size;
    }
    Atomics.add(this.published, 0, 1);
    Atomics.notify(this.published, 0);
  }

  /**
   * Sends each worker its share (each step names the weights version it needs: `version` for
   * the current weights, `version + 1` for the next update's); resolves with their losses once
   * all are done. A worker takes its shares in order; it writes a share's gradients once that
   * share's weights are published, so read the earlier share's before publishing.
   */
  run(steps: readonly GradientStep[]): Promise<number[]> {
    return Promise.all(steps.map((step, i) => new Promise<number>((resolve, reject) => {
      this.pending[i].push({ resolve, reject });
      this.workers[i].postMessage(step);
    })));
  }

  /** Worker i's gradients from the last run, as tensors (the caller disposes them). */
  gradientsOf(i: number): tf.Tensor[] {
    let offset = 0;
    return this.shapes.map((shape) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const t = tf.tensor(this.gradients[i].subarray(offset, offset + size), shape);
      offset += size;
      return t;
    });
  }

  /** Ends the workers, also one that waits for weights an aborted run never publishes. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
