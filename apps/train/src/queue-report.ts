// `microexp-train report --queue ...`: a run's report.md/report.json (and a sweep's sweep.md/
// sweep.json) assembled from the results the workers left in the queue, by the very functions
// that write a local run's reports.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { summarise } from "@microexp/distill";
import type { CommandContext, CvReport } from "./cv.js";
import { cvMarkdown, cvReport } from "./cv.js";
import { UsageError } from "./errors.js";
import { writeFileAtomic } from "./files.js";
import type { ReportFiles } from "./report.js";
import { runRecord, writeReport } from "./report.js";
import type { QueueConnection } from "./queue-connection.js";
import { openQueue, publicUrl } from "./queue-connection.js";
import type { FoldJobResult, QueuePlan } from "./queue-jobs.js";
import { readPlan } from "./queue-jobs.js";
import { lockRunDir } from "./run-lock.js";
import type { SweepReport } from "./sweep.js";
import { sweepMarkdown, sweepReport } from "./sweep.js";

export interface QueueReportOptions {
  queue: string;
  /** The run's name (its default run or sweep folder's name); default: the only run in the queue. */
  run?: string;
  /** Default: runs/<the run's name>. */
  out?: string;
  /** The workers' shared work folder: copy each fold's weights from it into the report folder (for publish). */
  workDir?: string;
}

export interface QueueReportOutcome {
  plan: QueuePlan;
  cv: CvReport[];
  sweep?: SweepReport;
  /** The report files: the cv report's, or the sweep's. */
  files: ReportFiles;
}

export async function runQueueReport(options: QueueReportOptions, context: CommandContext): Promise<QueueReportOutcome> {
  const connection = await openQueue(options.queue);
  try {
    const plan = await readPlan(connection, options.run);
    const results = await finishedResults(connection, plan);
    const out = resolve(options.out ?? join("runs", plan.name));
    const unlock = lockRunDir(out, "report folder");
    try {
      return writeReports(plan, results, out, options, context);
    } finally {
      unlock();
    }
  } finally {
    await connection.close();
  }
}

/** Every job's result, by cell; an error that counts the jobs not done yet. */
async function finishedResults(connection: QueueConnection, plan: QueuePlan): Promise<FoldJobResult[][]> {
  const states = new Map<string, number>();
  const results = await Promise.all(plan.cells.map((cell) => Promise.all(cell.jobs.map(async (id) => {
    const job = await connection.queue.getJob(id);
    const state = job ? await job.getState() : "missing";
    if (state !== "completed") states.set(state, (states.get(state) ?? 0) + 1);
    return job?.returnvalue as FoldJobResult | undefined;
  }))));
  if (states.size > 0) {
    const total = plan.cells.reduce((n, c) => n + c.jobs.length, 0);
    const missing = [...states.values()].reduce((a, b) => a + b, 0);
    const how = [...states].map(([state, n]) => `${n} ${state}`).join(", ");
    throw new UsageError(`${plan.name}: ${missing} of ${total} folds are not done (${how}); \`microexp-train status --queue ${publicUrl(connection.url)}\` shows them`);
  }
  return results as FoldJobResult[][];
}

function writeReports(plan: QueuePlan, results: FoldJobResult[][], out: string, options: QueueReportOptions, context: CommandContext): QueueReportOutcome {
  const run = runRecord(plan.argv, new Date(plan.started));
  const cacheDir = "each worker's <work-dir>/cache";
  const reports = plan.cells.map((cell, i) => {
    const folds = results[i];
    const runDir = plan.kind === "cv" ? out : join(out, cell.cell!.id);
    const byFold = [...folds].sort((a, b) => a.result.fold - b.result.fold);
    const report = cvReport(cell.cv, summarise(byFold.map((f) => f.result), byFold[0].backend), { run, runDir, cacheDir });
    const files = writeReport(runDir, "report", report, cvMarkdown(report));
    if (options.workDir) copyWeights(resolve(options.workDir), cell.jobs, runDir, context);
    return { report, files };
  });
  if (plan.kind === "cv") return { plan, cv: [reports[0].report], files: reports[0].files };
  const cells = plan.cells.map((c) => c.cell!);
  const sweep = sweepReport(plan.sweep!, { all: plan.all, cells, sweepDir: out }, run, reports.map((r) => r.report));
  return { plan, cv: reports.map((r) => r.report), sweep, files: writeReport(out, "sweep", sweep, sweepMarkdown(sweep)) };
}

/** Fold f's network (work-dir/jobs/<job>/fold-f/student.mxw) to runDir/fold-f/, where publish looks for it. */
function copyWeights(workDir: string, jobs: string[], runDir: string, context: CommandContext): void {
  jobs.forEach((id, fold) => {
    const from = join(workDir, "jobs", id, `fold-${fold}`, "student.mxw");
    if (!existsSync(from)) {
      context.progress.log(`WARNING: ${from} not found (not a family member, or --work-dir is not the workers' shared folder)`);
      return;
    }
    writeFileAtomic(join(runDir, `fold-${fold}`, "student.mxw"), readFileSync(from));
  });
}
