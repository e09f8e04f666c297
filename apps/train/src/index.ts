// Programmatic API of the research command line (the `microexp-train` binary is dist/cli.js).
export { createProgram, type CliEnvironment } from "./program.js";
export { runCv, cvMarkdown, defaultRunDir, type CvOptions, type CvReport, type CvOutcome, type CommandContext, type RunOptions, type FoldRecord } from "./cv.js";
export { runSweep, sweepCells, sweepMarkdown, paperDatasetFor, SWEEP_TABLES, type SweepOptions, type SweepReport, type SweepCell, type SweepTable } from "./sweep.js";
export { runExport, exportMarkdown, type ExportOptions, type ExportReport } from "./export.js";
export { runEval, evalMarkdown, type EvalOptions, type EvalReport } from "./eval.js";
export { loadData, limitManifest, makeSplit, DATASET_KINDS, LABEL_SETS, PROTOCOLS, type DataOptions, type DatasetKind, type LabelSet, type Protocol } from "./data.js";
export { TRAINING_DEFAULTS, runName, type TrainingOptions } from "./run-config.js";
export { createProgress, silentProgress, type ProgressDisplay, type TaskProgress } from "./progress.js";
export { packageVersions, machine, commandLine } from "./environment.js";
export * from "./paper-results.js";
export { enqueueCv, enqueueSweep, foldJobId, readPlan, type FoldJobData, type FoldJobResult, type QueuePlan, type EnqueueOutcome } from "./queue-jobs.js";
export { openQueue, queueUrl, QUEUE_NAME, type QueueConnection } from "./queue-connection.js";
export { runQueueWorker, WORKER_DEFAULTS, type QueueWorkerOptions } from "./queue-worker.js";
export { runQueueReport, type QueueReportOptions, type QueueReportOutcome } from "./queue-report.js";
export { queueStatus, statusText, type QueueStatus, type QueueCounts } from "./queue-status.js";
