// `microexp-train status --queue ...`: how many jobs wait, run, are done or failed (parked
// after their last attempt, with their error), what the running ones are at, and each run's
// progress.
import type { Job } from "bullmq";
import type { QueueConnection } from "./queue-connection.js";
import { openQueue, publicUrl, QUEUE_NAME } from "./queue-connection.js";
import type { FoldJobData, FoldJobResult, QueuePlan } from "./queue-jobs.js";
import { planNames, readPlan } from "./queue-jobs.js";

export interface QueueCounts {
  waiting: number;
  running: number;
  done: number;
  failed: number;
}

export interface QueueStatus {
  url: string;
  counts: QueueCounts;
  running: Array<{ id: string; label: string; progress: unknown }>;
  failed: Array<{ id: string; label: string; attempts: number; error: string }>;
  runs: Array<{ name: string; folds: number; done: number }>;
}

type FoldQueueJob = Job<FoldJobData, FoldJobResult>;

export async function queueCounts(connection: QueueConnection): Promise<QueueCounts> {
  const c = await connection.queue.getJobCounts("waiting", "prioritized", "delayed", "active", "completed", "failed");
  return { waiting: c.waiting + c.prioritized + c.delayed, running: c.active, done: c.completed, failed: c.failed };
}

export async function queueStatus(url: string): Promise<QueueStatus> {
  const connection = await openQueue(url);
  try {
    const counts = await queueCounts(connection);
    const active = (await connection.queue.getActive()) as FoldQueueJob[];
    const failed = (await connection.queue.getFailed()) as FoldQueueJob[];
    const runs = [];
    for (const name of await planNames(connection)) {
      const plan: QueuePlan = await readPlan(connection, name);
      const ids = plan.cells.flatMap((c) => c.jobs);
      let done = 0;
      for (const id of ids) if ((await (await connection.queue.getJob(id))?.getState()) === "completed") done++;
      runs.push({ name, folds: ids.length, done });
    }
    return {
      url: publicUrl(url), counts,
      running: active.map((job) => ({ id: job.id!, label: job.data.label, progress: job.progress })),
      failed: failed.map((job) => ({ id: job.id!, label: job.data.label, attempts: job.attemptsMade, error: job.failedReason.split("\n")[0] })),
      runs,
    };
  } finally {
    await connection.close();
  }
}

function describeProgress(progress: unknown): string {
  const p = progress as { stage?: string; epoch?: number; epochs?: number; worker?: string } | null;
  if (!p || typeof p !== "object" || p.epoch === undefined) return "starting";
  return `${p.stage} epoch ${p.epoch}/${p.epochs}${p.worker ? ` on ${p.worker}` : ""}`;
}

export function statusText(status: QueueStatus): string {
  const { counts } = status;
  const lines = [`queue ${QUEUE_NAME} at ${status.url}: ${counts.waiting} waiting, ${counts.running} running, ${counts.done} done, ${counts.failed} failed`];
  for (const job of status.running) lines.push(`  running: ${job.label} (${job.id}): ${describeProgress(job.progress)}`);
  for (const job of status.failed) lines.push(`  failed after ${job.attempts} attempt${job.attempts === 1 ? "" : "s"}: ${job.label} (${job.id}): ${job.error}`);
  for (const run of status.runs) lines.push(`  run ${run.name}: ${run.done}/${run.folds} folds done`);
  if (status.failed.length > 0) lines.push("Fix the cause, then enqueue the run again: its failed jobs are retried.");
  return lines.join("\n");
}
