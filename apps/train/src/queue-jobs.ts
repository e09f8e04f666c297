// `cv --queue` and `sweep --queue`: the run's plan goes into Redis, and every fold becomes one
// job whose id is a hash of what it trains (the configuration, the fold's images, the data's
// contents), so enqueueing the same run twice, or two runs sharing folds, never trains twice.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { BackendInfo, FoldResult, TrainConfig } from "@microexp/distill";
import type { CommandContext, CvOptions, CvPlan } from "./cv.js";
import { checkTrainingModels, defaultRunDir, planCv, withTeacherOfRun } from "./cv.js";
import type { DataOptions } from "./data.js";
import { UsageError } from "./errors.js";
import type { HashedData } from "./prepare.js";
import { hashData } from "./prepare.js";
import type { QueueConnection } from "./queue-connection.js";
import { PLAN_PREFIX, publicUrl } from "./queue-connection.js";
import type { SweepCell, SweepOptions } from "./sweep.js";
import { chooseSweepCells, defaultSweepDir } from "./sweep.js";

/** What a worker needs to run one fold (and nothing of the machine that enqueued it but the data's path). */
export interface FoldJobData {
  /** Readable: data, model and fold, for status lines. */
  label: string;
  /** The data as the enqueuing machine named it (a worker may have its copy elsewhere: `worker --data`). */
  data: DataOptions;
  /** Seed of the --limit choice. */
  limitSeed: number;
  /** hashManifestContents of the data: a worker whose copy differs refuses the job. */
  contentHash: string;
  softTargets?: "ferplus";
  fold: number;
  train: number[];
  test: number[];
  student: TrainConfig;
  teacher?: TrainConfig;
  /** With --teacher-from: the fold's trained teacher (a checkpoint every worker reads at this path). */
  teacherCheckpoint?: { file: string; sha256: string };
  /** Threads computing each batch: part of what a job computes (sums of gradient shares). */
  threads: number;
}

/** A finished job's result, kept in Redis as the job's return value. */
export interface FoldJobResult {
  result: FoldResult;
  backend: BackendInfo;
  /** "host pid n" of the worker that finished it. */
  worker: string;
}

/** A run enqueued on the queue: what its report needs besides the folds' results. */
export interface QueuePlan {
  name: string;
  kind: "cv" | "sweep";
  /** The enqueuing command line and when it first ran. */
  argv: string[];
  started: string;
  /** The sweep's options (a cv's are its only cell's). */
  sweep?: SweepOptions;
  /** The sweep's table (a cv: empty). */
  all: SweepCell[];
  cells: Array<{ cell: SweepCell | null; cv: CvPlan; jobs: string[] }>;
}

export const JOB_DEFAULTS = { attempts: 3 } as const;

/** The job's id: a hash of everything that decides what the fold computes. */
export function foldJobId(job: Omit<FoldJobData, "label" | "data" | "limitSeed"> & { detectFaces: boolean }): string {
  const key = {
    contentHash: job.contentHash, detectFaces: job.detectFaces, softTargets: job.softTargets ?? null, fold: job.fold,
    train: job.train, test: job.test, student: job.student, teacher: job.teacher ?? null, teacherCheckpoint: job.teacherCheckpoint?.sha256 ?? null, threads: job.threads,
  };
  return `fold-${createHash("sha256").update(JSON.stringify(key)).digest("hex").slice(0, 32)}`;
}

function cellJobs(cv: CvPlan, data: HashedData, label: string): Array<{ id: string; data: FoldJobData }> {
  const { options } = cv;
  const dataOptions: DataOptions = {
    dataset: options.dataset, data: resolve(options.data), detectFaces: data.detectFaces,
    ...(options.labels ? { labels: options.labels } : {}), ...(options.root ? { root: resolve(options.root) } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  };
  return cv.folds.map((fold, f) => {
    const job = {
      contentHash: data.contentHash, ...(options.softTargets ? { softTargets: options.softTargets } : {}),
      fold: f, train: fold.train, test: fold.test, student: cv.students[f], ...(cv.teachers[f] ? { teacher: cv.teachers[f] } : {}),
      ...(cv.teacherFrom ? { teacherCheckpoint: fileWithHash(cv.teacherFrom.checkpoints[f]) } : {}),
      threads: options.threads ?? 1,
    };
    return { id: foldJobId({ ...job, detectFaces: data.detectFaces }), data: { label: `${label} fold ${f}`, data: dataOptions, limitSeed: options.seed, ...job } };
  });
}

function fileWithHash(file: string): { file: string; sha256: string } {
  return { file, sha256: createHash("sha256").update(readFileSync(file)).digest("hex") };
}

export interface EnqueueOutcome {
  plan: QueuePlan;
  /** Jobs new to the queue, already there (not added again), and parked ones given new attempts. */
  added: number;
  existing: number;
  retried: number;
}

/** Enqueues a cross-validation's folds (`cv --queue`). */
export async function enqueueCv(connection: QueueConnection, given: CvOptions, context: CommandContext, attempts: number): Promise<EnqueueOutcome> {
  const options = withTeacherOfRun(given);
  checkTrainingModels(options);
  const data = await hashData(options, options.seed, context.progress);
  const cv = planCv(options, data);
  const name = basename(resolve(options.runDir ?? defaultRunDir(options)));
  const jobs = cellJobs(cv, data, `${data.name} ${options.model}`);
  const plan: QueuePlan = { name, kind: "cv", argv: [...context.argv], started: new Date().toISOString(), all: [], cells: [{ cell: null, cv, jobs: jobs.map((j) => j.id) }] };
  return enqueue(connection, plan, jobs, attempts);
}

/** Enqueues every fold of every chosen cell of a sweep (`sweep --queue`). */
export async function enqueueSweep(connection: QueueConnection, options: SweepOptions, context: CommandContext, attempts: number): Promise<EnqueueOutcome> {
  const { all, cells } = chooseSweepCells(options);
  const data = await hashData(options, options.seed, context.progress);
  const name = basename(resolve(options.sweepDir ?? defaultSweepDir(options)));
  const planned = cells.map((cell) => {
    const cv = planCv(withTeacherOfRun({ ...options, ...cell.training }), data);
    return { cell, cv, jobs: cellJobs(cv, data, `${data.name} ${cell.id}`) };
  });
  const plan: QueuePlan = {
    name, kind: "sweep", argv: [...context.argv], started: new Date().toISOString(), sweep: options, all,
    cells: planned.map(({ cell, cv, jobs }) => ({ cell, cv, jobs: jobs.map((j) => j.id) })),
  };
  return enqueue(connection, plan, planned.flatMap((p) => p.jobs), attempts);
}

/** What makes two plans the same run (not who enqueued them, nor when, nor where the data lies). */
function planIdentity(plan: QueuePlan): string {
  return JSON.stringify({ kind: plan.kind, cells: plan.cells.map((c) => ({ cell: c.cell?.id ?? null, jobs: c.jobs })) });
}

async function enqueue(connection: QueueConnection, plan: QueuePlan, jobs: Array<{ id: string; data: FoldJobData }>, attempts: number): Promise<EnqueueOutcome> {
  const key = `${PLAN_PREFIX}${plan.name}`;
  const stored = await connection.redis.get(key);
  if (stored !== null) {
    const earlier = JSON.parse(stored) as QueuePlan;
    if (planIdentity(earlier) !== planIdentity(plan)) {
      throw new UsageError(`${publicUrl(connection.url)} already holds a run named ${plan.name} of another configuration or data; ` +
        "choose another name with --run-dir (cv) or --sweep-dir (sweep), whose folder name names the run");
    }
  } else {
    await connection.redis.set(key, JSON.stringify(plan));
  }
  let existing = 0;
  let retried = 0;
  for (const job of jobs) {
    const found = await connection.queue.getJob(job.id);
    if (!found) continue;
    existing++;
    // Enqueueing a run again gives its parked (failed) jobs new attempts, as running a local command again resumes it.
    if ((await found.getState()) === "failed") {
      await found.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      retried++;
    }
  }
  // A job id already in the queue (waiting, running, done or failed) is not added again.
  await connection.queue.addBulk(jobs.map((job) => ({
    name: "fold", data: job.data,
    opts: { jobId: job.id, attempts, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: false, removeOnFail: false },
  })));
  return { plan: stored !== null ? (JSON.parse(stored) as QueuePlan) : plan, added: jobs.length - existing, existing, retried };
}

/** The stored plan of a run; without a name, the only run there is. */
export async function readPlan(connection: QueueConnection, name?: string): Promise<QueuePlan> {
  if (name) {
    const stored = await connection.redis.get(`${PLAN_PREFIX}${name}`);
    if (stored === null) throw new UsageError(`--run ${name}: no such run in ${publicUrl(connection.url)}; runs there: ${(await planNames(connection)).join(", ") || "none"}`);
    return JSON.parse(stored) as QueuePlan;
  }
  const names = await planNames(connection);
  if (names.length !== 1) throw new UsageError(`${publicUrl(connection.url)} holds ${names.length === 0 ? "no run" : `${names.length} runs (${names.join(", ")}): choose one with --run`}`);
  return readPlan(connection, names[0]);
}

export async function planNames(connection: QueueConnection): Promise<string[]> {
  const names: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await connection.redis.scan(cursor, "MATCH", `${PLAN_PREFIX}*`, "COUNT", 200);
    cursor = next;
    names.push(...keys.map((k) => k.slice(PLAN_PREFIX.length)));
  } while (cursor !== "0");
  return names.sort();
}
