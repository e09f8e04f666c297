// Runs folds inside a worker thread: tfjs's wasm backend is single-threaded in Node, so
// the folds of a cross-validation run use one worker per core.
import { parentPort, workerData } from "node:worker_threads";
import type { BackendInfo, BackendPreference } from "./backend/index.js";
import { selectBackend } from "./backend/index.js";
import type { CropSet } from "./crop-set.js";
import type { FoldEvent, FoldJob, FoldResult } from "./fold.js";
import { runFold } from "./fold.js";

export interface WorkerInit {
  data: CropSet;
  backend: BackendPreference;
}

export type WorkerMessage =
  | { type: "ready"; backend: BackendInfo }
  | { type: "event"; fold: number; event: FoldEvent }
  | { type: "done"; fold: number; result: FoldResult }
  | { type: "error"; fold: number; message: string };

const init = workerData as WorkerInit;
const port = parentPort!;

async function main(): Promise<void> {
  try {
    const backend = await selectBackend(init.backend);
    port.postMessage({ type: "ready", backend } satisfies WorkerMessage);
    port.on("message", runJob);
  } catch (error) {
    port.postMessage({ type: "error", fold: -1, message: (error as Error).stack ?? String(error) } satisfies WorkerMessage);
  }
}

async function runJob(job: FoldJob): Promise<void> {
  try {
    let last = 0;
    const result = await runFold(init.data, job, (event) => {
      // Throttle progress messages: a few per second are plenty for a progress bar.
      const now = performance.now();
      if (now - last < 200 && event.progress.step !== event.progress.steps) return;
      last = now;
      port.postMessage({ type: "event", fold: job.fold, event } satisfies WorkerMessage);
    });
    port.postMessage({ type: "done", fold: job.fold, result } satisfies WorkerMessage);
  } catch (error) {
    port.postMessage({ type: "error", fold: job.fold, message: (error as Error).stack ?? String(error) } satisfies WorkerMessage);
  }
}

// No top-level await: this file is also built as CommonJS.
void main();
