// `microexp-train worker --queue ...`: takes fold jobs from the queue, one per core, and runs
// each with the fold runner in a thread of its own. BullMQ renews a running job's lock (the
// heartbeat); a worker that dies stops renewing it, and another worker takes the job again
// once the lock has expired. The fold resumes from its last epoch checkpoint when the work
// folder is shared (or the same machine takes it), else from its start.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import type { Job } from "bullmq";
import { Worker, WaitingError } from "bullmq";
import type { BackendPreference, FoldJob } from "@microexp/distill";
import { FoldThread } from "@microexp/distill";
import type { CommandContext } from "./cv.js";
import type { DataOptions } from "./data.js";
import { formatDuration } from "./format.js";
import type { PreparedData } from "./prepare.js";
import { prepareData } from "./prepare.js";
import { foldSummaryLine } from "./progress.js";
import { openQueue, publicUrl, QUEUE_NAME } from "./queue-connection.js";
import type { FoldJobData, FoldJobResult } from "./queue-jobs.js";
import { attachSoftTargets } from "./soft-targets.js";

export interface QueueWorkerOptions {
  queue: string;
  /** Jobs at once (one thread each). Default: one per core. */
  concurrency: number;
  /** Fold checkpoints and weights (work-dir/jobs/<job>/), crop and teacher caches (work-dir/cache). */
  workDir: string;
  /** This machine's copy of the data, when it is not where the jobs were enqueued from. */
  data?: string;
  backend: BackendPreference;
  /** A running job's lock lasts this long and is renewed at half of it; a dead worker's job is taken again after it. */
  lockSeconds: number;
  /** Times a job may lose its worker (lock expired) before it is parked as failed. */
  maxStalls: number;
  /** Stop once no job is waiting or running anywhere (instead of waiting for more). */
  exitWhenDrained: boolean;
}

export const WORKER_DEFAULTS = { workDir: "runs/queue", lockSeconds: 30, maxStalls: 3 } as const;

interface Slot {
  busy: boolean;
  thread?: FoldThread;
  /** What the thread's crop set is: contents, face detection, soft targets. */
  crops?: string;
}

/** Runs jobs until interrupted (or, with exitWhenDrained, until the queue is empty); returns the jobs it finished and failed. */
export async function runQueueWorker(options: QueueWorkerOptions, context: CommandContext): Promise<{ done: number; failed: number }> {
  const { progress, signal } = context;
  const workDir = resolve(options.workDir);
  const cacheDir = join(workDir, "cache");
  const name = `${hostname()} pid ${process.pid}`;
  const connection = await openQueue(options.queue, { persistent: true });
  const slots: Slot[] = Array.from({ length: options.concurrency }, () => ({ busy: false }));
  const prepared = new Map<string, Promise<PreparedData>>();
  let done = 0;
  let failed = 0;

  /** The job's data as this worker has it, read (and hashed) once; refused when its contents differ. */
  const dataFor = async (job: FoldJobData): Promise<PreparedData> => {
    const dataOptions: DataOptions = { ...job.data, ...(options.data ? { data: options.data } : {}) };
    const key = JSON.stringify({ dataOptions, seed: job.limitSeed, softTargets: job.softTargets ?? null });
    const load = async () => {
      const data = await prepareData(dataOptions, job.limitSeed, cacheDir, progress);
      if (job.softTargets) await attachSoftTargets(data, job.softTargets, dataOptions.dataset, dataOptions.data, progress);
      return data;
    };
    let entry = prepared.get(key);
    // A hash that differs may mean the files changed since they were read: read them again first.
    if (!entry || (await entry.catch(() => undefined))?.contentHash !== job.contentHash) {
      entry = load();
      prepared.set(key, entry);
    }
    const data = await entry.catch((error: unknown) => {
      prepared.delete(key);
      throw error;
    });
    if (data.contentHash !== job.contentHash) {
      throw new Error(`${job.label}: this worker's copy of the data (${resolve(dataOptions.data)}) has contents ${data.contentHash}, ` +
        `the job was made for ${job.contentHash}: every worker must see the same data (copy it again, or point worker --data at the right copy)`);
    }
    return data;
  };

  const processor = async (job: Job<FoldJobData, FoldJobResult>, token?: string): Promise<FoldJobResult> => {
    const slot = slots.find((s) => !s.busy);
    if (!slot) throw new Error(`worker has no free slot for ${job.data.label} (more jobs than --concurrency)`);
    slot.busy = true;
    const { data: spec } = job;
    const unit = `job ${job.id} (${spec.label})`;
    try {
      progress.log(`${unit}: taken (attempt ${job.attemptsMade + 1})`);
      const data = await dataFor(spec);
      // Files the job names must be the very files it was enqueued with.
      for (const [what, file] of [["initial weights", spec.student.init], ["teacher's initial weights", spec.teacher?.init], ["teacher", spec.teacherCheckpoint]] as const) {
        if (file) checkSameFile(what, file);
      }
      const crops = JSON.stringify({ contents: data.contentHash, faces: data.detectFaces, soft: spec.softTargets ?? null });
      if (!slot.thread || slot.crops !== crops) {
        await slot.thread?.terminate();
        slot.thread = new FoldThread(data.crops, options.backend);
        slot.crops = crops;
      }
      const foldJob: FoldJob = {
        fold: spec.fold, runDir: join(workDir, "jobs", job.id!), train: spec.train, test: spec.test, student: spec.student,
        dataHash: spec.contentHash, threads: spec.threads, backend: options.backend,
        ...(spec.teacher ? { teacher: { config: spec.teacher, cacheDir, ...(spec.teacherCheckpoint ? { checkpoint: spec.teacherCheckpoint.file } : {}) } } : {}),
      };
      let reported = 0;
      let events = 0;
      const result = await slot.thread.run(foldJob, (event) => {
        events++;
        progress.trainingEvent(unit, event);
        // Progress for `status`: at most every 2 s (the lock renewal is BullMQ's own heartbeat).
        const now = performance.now();
        if (now - reported < 2000 && event.progress.step !== event.progress.steps) return;
        reported = now;
        const { epoch, epochs, loss } = event.progress;
        job.updateProgress({ stage: event.stage, epoch, epochs, loss, worker: name }).catch(() => {});
      });
      // No training event: the fold had finished in an earlier attempt (its result file was kept).
      progress.log(`${unit}: ${foldSummaryLine(result, events === 0)}`);
      return { result, backend: await slot.thread.ready, worker: name };
    } catch (error) {
      // A failed or terminated thread is not reused.
      await slot.thread?.terminate();
      slot.thread = undefined;
      if (signal?.aborted) {
        // Stopped by the user: back to waiting, without counting as a failed attempt.
        await job.moveToWait(token);
        progress.log(`${unit}: stopped, back in the queue (its last epoch checkpoint is kept in ${join(workDir, "jobs", job.id!)})`);
        throw new WaitingError();
      }
      progress.log(`${unit}: failed: ${(error as Error).message.split("\n")[0]}`);
      throw error;
    } finally {
      slot.busy = false;
    }
  };

  const worker = new Worker<FoldJobData, FoldJobResult>(QUEUE_NAME, processor, {
    connection: connection.redis, concurrency: options.concurrency, autorun: false,
    lockDuration: options.lockSeconds * 1000, stalledInterval: options.lockSeconds * 1000, maxStalledCount: options.maxStalls,
  });
  // Counted once the queue has the outcome (a result that could not be stored is not done).
  worker.on("completed", () => done++);
  worker.on("failed", (_job, error) => {
    if (!(error instanceof WaitingError)) failed++;
  });
  let lastError = "";
  worker.on("error", (error) => {
    // E.g. Redis restarting: the worker reconnects by itself; say so once per kind of error.
    if (error.message !== lastError) progress.log(`queue: ${error.message} (retrying)`);
    lastError = error.message;
  });
  const started = performance.now();
  progress.log(`worker ${name}: ${options.concurrency} job${options.concurrency === 1 ? "" : "s"} at once from ${publicUrl(options.queue)}, work folder ${workDir}`);
  void worker.run().catch((error: unknown) => progress.log(`queue: ${(error as Error).message}`));

  try {
    await new Promise<void>((resolveStop) => {
      if (signal?.aborted) return resolveStop();
      signal?.addEventListener("abort", () => resolveStop(), { once: true });
      if (!options.exitWhenDrained) return;
      const poll = setInterval(() => {
        if (slots.some((s) => s.busy)) return;
        connection.queue.getJobCounts("waiting", "prioritized", "delayed", "active").then((counts) => {
          if (Object.values(counts).every((n) => n === 0)) {
            clearInterval(poll);
            resolveStop();
          }
        }, () => {});
      }, 1000);
      signal?.addEventListener("abort", () => clearInterval(poll), { once: true });
    });
  } finally {
    // Closing first: the worker takes no new job, not even the ones handed back below.
    const closing = worker.close();
    // Interrupted: stop the folds now (their checkpoints stay) and hand their jobs back.
    if (signal?.aborted) await Promise.all(slots.map((s) => s.thread?.terminate()));
    await closing;
    await Promise.all(slots.map((s) => s.thread?.terminate()));
    await connection.close();
  }
  progress.log(`worker ${name}: ${done} job${done === 1 ? "" : "s"} done, ${failed} failed, in ${formatDuration((performance.now() - started) / 1000)}`);
  return { done, failed };
}

function checkSameFile(what: string, expected: { file: string; sha256: string }): void {
  if (!existsSync(expected.file)) throw new Error(`${what} ${expected.file}: not on this worker (every worker must see the file at this path)`);
  const sha256 = createHash("sha256").update(readFileSync(expected.file)).digest("hex");
  if (sha256 !== expected.sha256) throw new Error(`${what} ${expected.file}: this worker's file has sha256 ${sha256}, the run was enqueued with ${expected.sha256}`);
}
