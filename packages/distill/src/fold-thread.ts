/**
 * One worker thread that runs folds one after another on a crop set: tfjs's wasm backend is
 * single-threaded in Node, so parallel folds need a thread each. Used by `crossValidate`'s
 * pool, and by anything else that hands out folds one at a time (e.g. a job queue's worker).
 */
import { Worker } from "node:worker_threads";
import type { BackendInfo, BackendPreference } from "./backend/index.js";
import type { CropSet } from "./crop-set.js";
import type { FoldEvent, FoldJob, FoldResult } from "./fold.js";
import type { WorkerInit, WorkerMessage } from "./fold-worker.js";

function workerUrl(): URL {
  // Built next to this file by tsup, as .js (ESM) or .cjs (CJS).
  const self = import.meta.url;
  return new URL(self.endsWith(".cjs") ? "./fold-worker.cjs" : "./fold-worker.js", self);
}

interface Running {
  fold: number;
  onEvent?: (event: FoldEvent) => void;
  resolve: (result: FoldResult) => void;
  reject: (error: Error) => void;
}

export class FoldThread {
  /** The backend the thread's folds run on; rejects when the thread cannot start. */
  readonly ready: Promise<BackendInfo>;
  private readonly worker: Worker;
  private running: Running | undefined;
  private failure: Error | undefined;
  private terminated = false;

  /** Starts the thread; `data` (in shared memory) is handed over once, not copied per fold. */
  constructor(data: CropSet, backend: BackendPreference = "auto") {
    let started: { resolve: (info: BackendInfo) => void; reject: (error: Error) => void };
    this.ready = new Promise((resolve, reject) => (started = { resolve, reject }));
    // Nobody may await `ready` (run() does): a start failure is reported there, not as unhandled.
    this.ready.catch(() => {});
    this.worker = new Worker(workerUrl(), { workerData: { data, backend } satisfies WorkerInit });
    const fail = (error: Error) => {
      this.failure ??= error;
      started.reject(error);
      const running = this.running;
      this.running = undefined;
      running?.reject(error);
    };
    const where = () => (this.running ? ` while running fold ${this.running.fold}` : " before it was ready");
    this.worker.on("message", (message: WorkerMessage) => {
      if (message.type === "ready") started.resolve(message.backend);
      else if (message.type === "event") this.running?.onEvent?.(message.event);
      else if (message.type === "done") {
        const running = this.running;
        this.running = undefined;
        running?.resolve(message.result);
      } else if (message.fold >= 0) {
        const running = this.running;
        this.running = undefined;
        running?.reject(new Error(`fold ${message.fold} failed: ${message.message}`));
      } else fail(new Error(`fold worker could not start: ${message.message}`));
    });
    this.worker.on("error", (error) => fail(new Error(`fold worker failed${where()}: ${error.stack ?? error.message}`)));
    this.worker.on("exit", (code) => {
      if (!this.terminated) fail(new Error(`fold worker exited with code ${code}${where()}`));
    });
  }

  /** Runs one fold (resuming from its files); one at a time per thread. */
  async run(job: FoldJob, onEvent?: (event: FoldEvent) => void): Promise<FoldResult> {
    await this.ready;
    if (this.failure) throw this.failure;
    if (this.terminated) throw new Error("fold worker was terminated");
    if (this.running) throw new Error(`fold worker is busy with fold ${this.running.fold}`);
    return new Promise((resolve, reject) => {
      this.running = { fold: job.fold, ...(onEvent ? { onEvent } : {}), resolve, reject };
      this.worker.postMessage(job);
    });
  }

  /** Stops the thread at once; a running fold rejects (its last epoch checkpoint stays valid). */
  async terminate(): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    const running = this.running;
    this.running = undefined;
    running?.reject(new Error(`fold worker was terminated while running fold ${running.fold}`));
    await this.worker.terminate();
  }
}
