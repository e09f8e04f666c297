/**
 * k-fold cross-validation: folds run in parallel worker threads (one per core by default),
 * each resumable; the results are summarised as the paper reports them.
 */
import { availableParallelism } from "node:os";
import type { BackendInfo, BackendPreference } from "./backend/index.js";
import { selectBackend } from "./backend/index.js";
import type { CropSet } from "./crop-set.js";
import type { Metrics, PolicyAccuracy } from "./evaluate.js";
import type { FoldEvent, FoldJob, FoldResult } from "./fold.js";
import { readFoldResult, runFold } from "./fold.js";
import { FoldThread } from "./fold-thread.js";

export interface CrossValidationOptions {
  /** Worker threads; 0 runs the folds one by one in this thread. Default: one per core. */
  workers?: number;
  backend?: BackendPreference;
  onEvent?: (fold: number, event: FoldEvent) => void;
  /** Called for every fold result, also for folds finished by an earlier run (`resumed` true). */
  onFoldDone?: (result: FoldResult, resumed: boolean) => void;
  /**
   * Aborting stops every fold: the workers are terminated (checkpoints are written atomically,
   * so the last one stays valid) and the promise rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

export interface Summary {
  mean: number;
  std: number;
}

export interface CrossValidationSummary {
  folds: FoldResult[];
  cropAccuracy: Summary;
  voteAccuracy: Summary;
  inferenceCropAccuracy: Summary;
  teacherCropAccuracy?: Summary;
  /** Accuracy of each @microexp/infer crop policy, when every fold measured them. */
  policies?: Record<keyof PolicyAccuracy, Summary>;
  /** Crop-level confusion summed over the folds, [truth][predicted]. */
  confusion: number[][];
  recall: number[];
  /** The backend this process's folds ran on (or would run on, when every fold was already done). */
  backend: BackendInfo;
}

/** Mean and sample standard deviation (n - 1), as the paper's "mean +- std". */
export function summary(values: number[]): Summary {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

function summarisePolicies(list: PolicyAccuracy[]): Record<keyof PolicyAccuracy, Summary> {
  const names = Object.keys(list[0]) as Array<keyof PolicyAccuracy>;
  return Object.fromEntries(names.map((name) => [name, summary(list.map((p) => p[name]))])) as Record<keyof PolicyAccuracy, Summary>;
}

export function summarise(finished: FoldResult[], backend: BackendInfo): CrossValidationSummary {
  if (finished.length === 0) throw new Error("no fold results to summarise");
  // In fold order: floating-point sums depend on the order, and a report must not depend on which fold finished first.
  const folds = [...finished].sort((a, b) => a.fold - b.fold);
  const pick = (f: (m: Metrics) => number, list = folds.map((r) => r.metrics)) => summary(list.map(f));
  const n = folds[0].metrics.confusion.length;
  const confusion = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => folds.reduce((s, r) => s + r.metrics.confusion[i][j], 0)));
  const teachers = folds.flatMap((r) => (r.teacherMetrics ? [r.teacherMetrics] : []));
  return {
    folds,
    cropAccuracy: pick((m) => m.cropAccuracy),
    voteAccuracy: pick((m) => m.voteAccuracy),
    inferenceCropAccuracy: pick((m) => m.inferenceCropAccuracy),
    ...(teachers.length === folds.length ? { teacherCropAccuracy: pick((m) => m.cropAccuracy, teachers) } : {}),
    ...(folds.every((r) => r.metrics.policies) ? { policies: summarisePolicies(folds.map((r) => r.metrics.policies!)) } : {}),
    confusion,
    recall: confusion.map((row, i) => row[i] / row.reduce((a, b) => a + b, 0)),
    backend,
  };
}

/** Runs the jobs on `workers` fold threads; resolves with the backend they used. */
async function runInWorkers(data: CropSet, jobs: FoldJob[], workers: number, options: CrossValidationOptions, done: (result: FoldResult) => void): Promise<BackendInfo | undefined> {
  const queue = [...jobs];
  const { signal } = options;
  const threads = Array.from({ length: workers }, () => new FoldThread(data, options.backend ?? "auto"));
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const thread of threads) void thread.terminate();
  };
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      stop();
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  // Each thread takes the next job as soon as it is free.
  const drain = async (thread: FoldThread) => {
    await thread.ready;
    for (let job = queue.shift(); job && !stopped; job = queue.shift()) {
      done(await thread.run(job, (event) => options.onEvent?.(job!.fold, event)));
    }
  };
  try {
    const finished = Promise.all(threads.map(drain));
    await Promise.race([finished, aborted]);
    return await threads[0].ready;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    stop();
  }
}

export async function crossValidate(data: CropSet, jobs: FoldJob[], options: CrossValidationOptions = {}): Promise<CrossValidationSummary> {
  const { signal } = options;
  signal?.throwIfAborted();
  const results: FoldResult[] = [];
  const done = (result: FoldResult, resumed = false) => {
    results.push(result);
    options.onFoldDone?.(result, resumed);
  };
  // Finished folds are read from disk: no worker is started for them.
  const todo: FoldJob[] = [];
  for (const job of jobs) {
    const finished = readFoldResult(job.runDir, job.fold);
    if (finished) done(finished, true);
    else todo.push(job);
  }
  const workers = Math.min(options.workers ?? availableParallelism(), todo.length);
  // The cores that no fold worker uses compute shares of the folds' batches.
  const threads = Math.max(1, Math.floor(availableParallelism() / Math.max(1, workers)));
  for (let i = 0; i < todo.length; i++) todo[i] = { ...todo[i], threads: todo[i].threads ?? threads, backend: todo[i].backend ?? options.backend ?? "auto" };
  let backend: BackendInfo | undefined;
  if (workers === 0) {
    backend = await selectBackend(options.backend ?? "auto");
    for (const job of todo) done(await runFold(data, job, (event) => options.onEvent?.(job.fold, event), signal));
  } else {
    backend = await runInWorkers(data, todo, workers, options, (result) => done(result));
  }
  return summarise(results, backend ?? (await selectBackend(options.backend ?? "auto")));
}
