// The command line: `cv`, `sweep`, `export`, `publish`, `eval`, and the job queue's `worker`,
// `status` and `report`, each with --help.
import { Command, Option } from "commander";
import { BACKEND_PREFERENCES, EPOCH_SAMPLINGS, OPTIMIZER_KINDS, TEACHER_CROP_TARGETS } from "@microexp/distill";
import type { BackendPreference, EpochSampling } from "@microexp/distill";
import type { CropPolicy, EngineChoice } from "@microexp/infer";
import { CROP_POLICIES } from "@microexp/infer";
import type { CvOptions } from "./cv.js";
import { accuracyTable, runCv } from "./cv.js";
import type { DataOptions, DatasetKind, LabelSet, Protocol } from "./data.js";
import { DATASET_KINDS, LABEL_SETS, PROTOCOLS } from "./data.js";
import { packageVersions } from "./environment.js";
import type { EvalOptions } from "./eval.js";
import { runEval } from "./eval.js";
import type { ExportOptions } from "./export.js";
import { runExport } from "./export.js";
import { runPublish } from "./publish.js";
import { markdownTable, meanStd, percent } from "./format.js";
import { otherNetworkNames } from "./models.js";
import { dropoutRate, nameList, nonNegativeInteger, nonNegativeNumber, positiveInteger, positiveNumber, positiveNumberList, unitInterval } from "./parse.js";
import type { PaperDataset } from "./paper-results.js";
import type { ProgressDisplay } from "./progress.js";
import type { TrainingOptions } from "./run-config.js";
import { TRAINING_DEFAULTS } from "./run-config.js";
import type { SweepOptions, SweepTable } from "./sweep.js";
import { SWEEP_TABLES, runSweep } from "./sweep.js";
import { registeredNetworkNames } from "@microexp/models";
import { availableParallelism } from "node:os";
import type { EnqueueOutcome } from "./queue-jobs.js";
import { enqueueCv, enqueueSweep, JOB_DEFAULTS } from "./queue-jobs.js";
import { openQueue, publicUrl } from "./queue-connection.js";
import { runQueueReport } from "./queue-report.js";
import { queueStatus, statusText } from "./queue-status.js";
import { runQueueWorker, WORKER_DEFAULTS } from "./queue-worker.js";

export interface CliEnvironment {
  /** The arguments after the program name (recorded in reports). */
  argv: readonly string[];
  /** Where results are printed. */
  print: (text: string) => void;
  /** Makes the progress display for a command. */
  progress: () => ProgressDisplay;
  signal?: AbortSignal;
}

type Raw = Record<string, unknown>;

function addDataOptions(command: Command): Command {
  return command
    .addOption(new Option("--dataset <kind>", "how the data is laid out: ckplus (original CK+), oulu (original Oulu-CASIA), folder (one folder per class), fer2013 (Training/ PublicTest/ folders), list (\"<image path> <label>\" lines)").choices(DATASET_KINDS).makeOptionMandatory())
    .requiredOption("--data <path>", "the dataset's folder (a file for --dataset list)")
    .addOption(new Option("--labels <set>", "label set: ck8 (neutral + 7 emotions, the paper's CK+), ck7 (no neutral), oulu, fer2013, folders (a folder dataset's own folder names)").choices(LABEL_SETS))
    .option("--root <dir>", "folder that a label list's relative image paths start from (default: the list's folder)")
    .option("--detect-faces", "find the face with the paper's Viola-Jones detector first (default for ckplus and oulu)")
    .option("--no-detect-faces", "take the whole image as the face (default for folder, fer2013, list)")
    .option("--limit <n>", "use only n images (a class-balanced, seeded choice): for smoke runs", positiveInteger);
}

function addTrainingOptions(command: Command, withModel = true): Command {
  if (withModel) command.option("--model <name>", `student network: ${registeredNetworkNames().join(", ")}`, TRAINING_DEFAULTS.model);
  return command
    .option("--teacher <name>", `distil from this teacher (omit for vanilla training): ${otherNetworkNames().join(", ")}, or a family member such as p1-M`)
    .option("--teacher-epochs <n>", "epochs of the teacher (default: --epochs)", positiveInteger)
    .option("--teacher-dropout <rate>", "dropout rate of the teacher", dropoutRate, TRAINING_DEFAULTS.teacherDropout)
    .option("--teacher-init <file>", "start the teacher (a family member) from these weights, e.g. trained on FER2013 (its output layer is kept only if the labels match)")
    .option("--teacher-from <run>", "distil from the networks of a finished cv run folder (fold f teaches fold f; same data and split), e.g. a dsnet trained with its own recipe")
    .option("--temperature <T>", "distillation temperature", positiveNumber, TRAINING_DEFAULTS.temperature)
    .option("--lambda <w>", "weight of the teacher term in the KD loss (0..1)", unitInterval, TRAINING_DEFAULTS.lambda)
    .option("--t2", "multiply the teacher term by T^2 (Hinton et al.; the paper does not)", false)
    .option("--online-teacher", "run the teacher on every sample as the student sees it (augmented) instead of using its logits cached per crop: a consistent teacher; needs --teacher-from (or a teacher trained in this run)", false)
    .addOption(new Option("--teacher-crops <kind>", "what each training crop is taught with: own (the teacher's logits on that crop) or mean (the mean of its logits over the face's 8 crops: the teacher's 8-crop ensemble, the same target for every crop of a face); cached logits only").choices(TEACHER_CROP_TARGETS).default("own"))
    .option("--init <file>", "start the trained network from these weights (fine-tuning): a .mxw of the same family member, or a finished run's checkpoint (fold-<k>/student.ckpt) of any network")
    .option("--epochs <n>", "training epochs (the paper: 3000)", positiveInteger, TRAINING_DEFAULTS.epochs)
    .option("--lr <rate>", "the optimizer's (peak) learning rate", positiveNumber, TRAINING_DEFAULTS.lr)
    .addOption(new Option("--optimizer <kind>", "adam (the paper's) or sgd (with momentum, Nesterov's unless --no-nesterov)").choices(OPTIMIZER_KINDS).default(TRAINING_DEFAULTS.optimizer))
    .option("--momentum <m>", "SGD's momentum (0..1)", unitInterval, TRAINING_DEFAULTS.momentum)
    .option("--no-nesterov", "SGD: plain momentum instead of Nesterov's")
    .option("--batch <n>", "batch size", positiveInteger, TRAINING_DEFAULTS.batch)
    .option("--dropout <rate>", "dropout rate after fc1 (0.5 for candidates, 0 for the final model)", dropoutRate, TRAINING_DEFAULTS.dropout)
    .option("--seed <n>", "seed of the split, the --limit choice and the initial weights (fold f uses seed + f)", nonNegativeInteger, TRAINING_DEFAULTS.seed)
    .addOption(new Option("--sampling <kind>", "an epoch is: all-crops (every face's 8 crops, the paper's) or one-per-face (one of its 8 crops drawn at random)").choices(EPOCH_SAMPLINGS).default(TRAINING_DEFAULTS.sampling))
    .addOption(new Option("--augment [kind]", "augment every sample on the fly: full (flip, shift, rotation, scale, random erasing; the default kind) or flip (mirror images only)").choices(["full", "flip"]).preset("full"))
    .option("--label-smoothing <eps>", "label smoothing epsilon (0..1)", unitInterval, TRAINING_DEFAULTS.labelSmoothing)
    .addOption(new Option("--soft-targets <kind>", "mix per-face soft targets into the label term: ferplus (FER+ crowd votes, --dataset fer2013; read from <data>/ferplus.csv)").choices(["ferplus"]))
    .option("--soft-weight <w>", "weight of the soft targets against the hard labels (0..1)", unitInterval, TRAINING_DEFAULTS.softWeight)
    .option("--weight-decay <w>", "decoupled weight decay (AdamW; SGD's decoupled form)", nonNegativeNumber, TRAINING_DEFAULTS.weightDecay)
    .addOption(new Option("--schedule <kind>", "learning-rate schedule: constant, or cosine (to 0 at the last epoch)").choices(["constant", "cosine"]).default(TRAINING_DEFAULTS.schedule))
    .option("--warmup <epochs>", "linear warm-up epochs of the cosine schedule", nonNegativeInteger, TRAINING_DEFAULTS.warmup)
    .option("--unit-pixels", "family members: train on pixels scaled to 0..1 instead of the paper's raw 0..255 (exported weights fold the scale into conv1)")
    .option("--bias-std <s>", "family members: standard deviation of the bias initializer (the paper: 0.5)", nonNegativeNumber)
    .option("--threads <n>", "threads computing each batch of a fold (data-parallel; default: the cores left per fold)", positiveInteger);
}

function addRunOptions(command: Command, workers = true): Command {
  if (workers) command.option("--workers <n>", "worker threads running folds in parallel (0: in the main thread; default: one per core)", nonNegativeInteger);
  return command
    .addOption(new Option("--backend <name>", "TensorFlow.js backend (auto: tfjs-node if installed, else wasm, else cpu)").choices(BACKEND_PREFERENCES).default("auto"))
    .option("--cache-dir <dir>", "cache of decoded crops and teacher logits (default: \"cache\" beside the run folder)");
}

function addQueueOptions(command: Command): Command {
  return command
    .option("--queue <url>", "enqueue the folds on this job queue (redis://host:port) instead of training here; `worker` trains them, `report` writes the report")
    .option("--attempts <n>", "with --queue: tries of a job before it is parked as failed", positiveInteger, JOB_DEFAULTS.attempts);
}

/** Enqueues with --queue, and says what happened and what to run next. */
async function enqueueWith(env: CliEnvironment, url: string, enqueue: (connection: Awaited<ReturnType<typeof openQueue>>, context: Parameters<typeof enqueueCv>[2]) => Promise<EnqueueOutcome>): Promise<void> {
  const progress = env.progress();
  const connection = await openQueue(url);
  try {
    const outcome = await enqueue(connection, { argv: env.argv, progress, ...(env.signal ? { signal: env.signal } : {}) });
    progress.stop();
    const { plan, added, existing, retried } = outcome;
    const folds = plan.cells.reduce((n, c) => n + c.jobs.length, 0);
    const where = publicUrl(url);
    env.print(`run ${plan.name}: ${folds} fold jobs, ${added} new in the queue, ${existing} there already${retried ? ` (${retried} failed ones retried)` : ""}\n` +
      `train them:  microexp-train worker --queue ${where}   (on every machine; see the README)\n` +
      `progress:    microexp-train status --queue ${where}\n` +
      `when done:   microexp-train report --queue ${where} --run ${plan.name}\n`);
  } finally {
    progress.stop();
    await connection.close();
  }
}

function addSplitOptions(command: Command): Command {
  return command
    .addOption(new Option("--protocol <name>", "random (stratified), subject (subject-independent), predefined (FER2013's or the list's batch folders)").choices(PROTOCOLS).default("random"))
    .option("--folds <k>", "number of folds", positiveInteger, 10);
}

function dataOptions(raw: Raw): DataOptions {
  return {
    dataset: raw.dataset as DatasetKind, data: raw.data as string,
    ...(raw.labels ? { labels: raw.labels as LabelSet } : {}),
    ...(raw.root ? { root: raw.root as string } : {}),
    ...(raw.detectFaces !== undefined ? { detectFaces: raw.detectFaces as boolean } : {}),
    ...(raw.limit !== undefined ? { limit: raw.limit as number } : {}),
  };
}

function trainingOptions(raw: Raw): TrainingOptions {
  return {
    model: raw.model as string ?? TRAINING_DEFAULTS.model,
    ...(raw.teacher ? { teacher: raw.teacher as string } : {}),
    ...(raw.teacherEpochs !== undefined ? { teacherEpochs: raw.teacherEpochs as number } : {}),
    teacherDropout: raw.teacherDropout as number,
    ...(raw.teacherInit ? { teacherInit: raw.teacherInit as string } : {}),
    ...(raw.teacherFrom ? { teacherFrom: raw.teacherFrom as string } : {}),
    ...(raw.init ? { init: raw.init as string } : {}),
    temperature: raw.temperature as number, lambda: raw.lambda as number,
    t2: raw.t2 === true, ...(raw.onlineTeacher === true ? { onlineTeacher: true } : {}),
    ...(raw.teacherCrops === "mean" ? { teacherCrops: "mean" as const } : {}), epochs: raw.epochs as number, lr: raw.lr as number, batch: raw.batch as number,
    dropout: raw.dropout as number, seed: raw.seed as number,
    sampling: (raw.sampling as EpochSampling | undefined) ?? TRAINING_DEFAULTS.sampling, augment: (raw.augment as "full" | "flip" | undefined) ?? false,
    labelSmoothing: (raw.labelSmoothing as number | undefined) ?? 0,
    ...(raw.softTargets ? { softTargets: raw.softTargets as "ferplus" } : {}),
    softWeight: (raw.softWeight as number | undefined) ?? TRAINING_DEFAULTS.softWeight,
    weightDecay: (raw.weightDecay as number | undefined) ?? 0,
    ...(raw.optimizer === "sgd" ? { optimizer: "sgd" as const, momentum: raw.momentum as number, nesterov: raw.nesterov !== false } : {}),
    schedule: (raw.schedule as "constant" | "cosine" | undefined) ?? TRAINING_DEFAULTS.schedule,
    warmup: (raw.warmup as number | undefined) ?? 0,
    ...(raw.unitPixels === true ? { unitPixels: true } : {}),
    ...(raw.biasStd !== undefined ? { biasStd: raw.biasStd as number } : {}),
    ...(raw.threads !== undefined ? { threads: raw.threads as number } : {}),
  };
}

function runOptions(raw: Raw) {
  return {
    backend: raw.backend as BackendPreference,
    ...(raw.workers !== undefined ? { workers: raw.workers as number } : {}),
    ...(raw.cacheDir ? { cacheDir: raw.cacheDir as string } : {}),
  };
}

const EXAMPLES_CV = `
Examples:
  $ microexp-train cv --dataset folder --data ../shared/data/ckplus48 --labels ck7 --protocol subject --epochs 300
  $ microexp-train cv --dataset ckplus --data CK+ --teacher vgg-small --teacher-epochs 100 --epochs 3000
  $ microexp-train cv --dataset folder --data faces --epochs 1 --limit 40 --folds 2     (a smoke run)
Run the same command again to resume: finished folds are kept, the others continue from their last epoch.`;

export function createProgram(env: CliEnvironment): Command {
  const program = new Command("microexp-train")
    .description("Train, cross-validate, sweep and export MicroExpNet models (the paper's experiments).")
    .version(packageVersions()["@microexp/train-app"] ?? "unknown")
    .showHelpAfterError("(add --help for usage)");

  const cv = program.command("cv").description("cross-validate one configuration and write report.md and report.json in its run folder");
  addTrainingOptions(addSplitOptions(addDataOptions(cv)));
  addQueueOptions(addRunOptions(cv).option("--run-dir <dir>", "run folder (default: runs/<a name derived from the configuration>)"));
  cv.addHelpText("after", EXAMPLES_CV).action(async (raw: Raw) => {
    const options: CvOptions = {
      ...dataOptions(raw), ...trainingOptions(raw), ...runOptions(raw),
      protocol: raw.protocol as Protocol, folds: raw.folds as number, ...(raw.runDir ? { runDir: raw.runDir as string } : {}),
    };
    if (raw.queue) return enqueueWith(env, raw.queue as string, (connection, context) => enqueueCv(connection, options, context, raw.attempts as number));
    const progress = env.progress();
    try {
      const { report, files } = await runCv(options, { argv: env.argv, progress, ...(env.signal ? { signal: env.signal } : {}) });
      progress.stop();
      env.print(`\n${accuracyTable(report.results, report.split.folds)}\n\nreport: ${files.markdown}\n        ${files.json}\n`);
    } finally {
      progress.stop();
    }
  });

  const sweep = program.command("sweep").description("the paper's tables, one cross-validation per cell (each resumable), reported beside the paper's numbers");
  sweep.addOption(new Option("--table <name>", "family: v/p1/p2/p12 x M/S/XS/XXS, vanilla; temperature: T in 2..64 for --model; kd: vanilla vs distilled p12 sizes").choices(SWEEP_TABLES).makeOptionMandatory());
  addTrainingOptions(addSplitOptions(addDataOptions(sweep)));
  addRunOptions(sweep)
    .option("--temperatures <list>", "temperatures of --table temperature (default: 2,4,8,16,20,32,64)", positiveNumberList)
    .option("--cells <ids>", "run only these cells, e.g. p12-XXS,v-XXS or T8 or kd-p12-XXS", nameList)
    .addOption(new Option("--paper <dataset>", "whose numbers to print beside ours (default: from the label set)").choices(["ckplus", "oulu", "none"]))
    .option("--sweep-dir <dir>", "sweep folder; each cell runs in <sweep-dir>/<cell> (default: runs/sweep-...)");
  addQueueOptions(sweep)
    .action(async (raw: Raw) => {
      const options: SweepOptions = {
        ...dataOptions(raw), ...trainingOptions(raw), ...runOptions(raw),
        table: raw.table as SweepTable, protocol: raw.protocol as Protocol, folds: raw.folds as number,
        ...(raw.temperatures ? { temperatures: raw.temperatures as number[] } : {}),
        ...(raw.cells ? { cells: raw.cells as string[] } : {}),
        ...(raw.paper ? { paper: raw.paper as PaperDataset | "none" } : {}),
        ...(raw.sweepDir ? { sweepDir: raw.sweepDir as string } : {}),
      };
      if (raw.queue) return enqueueWith(env, raw.queue as string, (connection, context) => enqueueSweep(connection, options, context, raw.attempts as number));
      const progress = env.progress();
      try {
        const { report, files } = await runSweep(options, { argv: env.argv, progress, ...(env.signal ? { signal: env.signal } : {}) });
        progress.stop();
        const rows = report.cells.map((c) => [c.id, meanStd(c.cropAccuracy), c.paper === null ? "—" : c.paper.toFixed(2)]);
        env.print(`\n${markdownTable(["cell", "crop-averaged %", "paper %"], rows)}\n\nreport: ${files.markdown}\n        ${files.json}\n`);
      } finally {
        progress.stop();
      }
    });

  const exportCommand = program.command("export").description("train on all the data (no test fold) and write a weights file (.mxw) for @microexp/infer, with a model card");
  addTrainingOptions(addDataOptions(exportCommand));
  addRunOptions(exportCommand, false)
    .requiredOption("--out <file>", "the weights file to write (.mxw)")
    .option("--cv-report <file>", "a cv report.json of this configuration: its accuracy goes into the model card")
    .option("--name <name>", "model name in the card")
    .option("--weights-version <version>", "version of these weights in the card, e.g. 1.0.0")
    .option("--description <text>", "description in the card")
    .option("--license <id>", "license of the weights in the card")
    .option("--float16", "store the weights as float16 (half the size)")
    .option("--run-dir <dir>", "folder of the checkpoints and the report (default: runs/export-...)")
    .action(async (raw: Raw) => {
      const options: ExportOptions = {
        ...dataOptions(raw), ...trainingOptions(raw), ...runOptions(raw), out: raw.out as string,
        ...(raw.cvReport ? { cvReport: raw.cvReport as string } : {}),
        ...(raw.name ? { name: raw.name as string } : {}),
        ...(raw.weightsVersion ? { weightsVersion: raw.weightsVersion as string } : {}),
        ...(raw.description ? { description: raw.description as string } : {}),
        ...(raw.license ? { license: raw.license as string } : {}),
        float16: raw.float16 === true,
        ...(raw.runDir ? { runDir: raw.runDir as string } : {}),
      };
      const progress = env.progress();
      try {
        const { report, files } = await runExport(options, { argv: env.argv, progress, ...(env.signal ? { signal: env.signal } : {}) });
        progress.stop();
        const m = report.trainingSetMetrics;
        env.print(`\nweights: ${report.weightsFile} (${report.weightsBytes} bytes)\n` +
          `accuracy on the training images (not a test): crop-averaged ${percent(m.cropAccuracy)}%\nreport: ${files.markdown}\n`);
      } finally {
        progress.stop();
      }
    });

  program.command("publish")
    .description("write one cross-validation fold's network as a weights file to ship, with a model card quoting the fold's held-out accuracy")
    .requiredOption("--cv-report <file>", "a report.json written by cv (its run folder holds the fold's weights)")
    .option("--fold <k>", "which fold's network", nonNegativeInteger, 0)
    .requiredOption("--out <file>", "the weights file to write (.mxw)")
    .option("--name <name>", "model name in the card")
    .option("--weights-version <version>", "version of these weights in the card, e.g. 2.0.0")
    .option("--description <text>", "description in the card")
    .option("--license <id>", "license of the weights in the card")
    .option("--float16", "store the weights as float16 (half the size)")
    .addOption(new Option("--crops <policy>", "the crop policy classify() uses by default with these weights (without it, the runtime's default)").choices(CROP_POLICIES))
    .addOption(new Option("--format-version <n>", "weights format version: 3 (any network) or 2 (the paper's family only; readers before format 3 load it)").choices(["2", "3"]).default("3"))
    .action(async (raw: Raw) => {
      const outcome = await runPublish({
        cvReport: raw.cvReport as string, fold: raw.fold as number, out: raw.out as string, float16: raw.float16 === true,
        formatVersion: Number(raw.formatVersion) as 2 | 3,
        ...(raw.crops ? { crops: raw.crops as CropPolicy } : {}),
        ...(raw.name ? { name: raw.name as string } : {}),
        ...(raw.weightsVersion ? { weightsVersion: raw.weightsVersion as string } : {}),
        ...(raw.description ? { description: raw.description as string } : {}),
        ...(raw.license ? { license: raw.license as string } : {}),
      });
      const held = outcome.card.heldOutAccuracy as { inferenceCrop: number };
      env.print(`weights: ${outcome.file} (${outcome.bytes} bytes); held out: inference crop ${percent(held.inferenceCrop)}%\n`);
    });

  const evalCommand = program.command("eval").description("evaluate a weights file (.mxw) on a dataset with @microexp/infer: crop-averaged accuracy, voting, inference crop, recall, confusion");
  addDataOptions(evalCommand)
    .requiredOption("--weights <file>", "the weights file (.mxw)")
    .addOption(new Option("--engine <name>", "@microexp/infer engine").choices(["auto", "wasm", "js"]).default("auto"))
    .option("--seed <n>", "seed of the --limit choice", nonNegativeInteger, TRAINING_DEFAULTS.seed)
    .option("--cache-dir <dir>", "cache of decoded crops (default: runs/cache)")
    .option("--report-dir <dir>", "where report.md and report.json go (default: runs/eval-<weights>-<data>)")
    .action(async (raw: Raw) => {
      const options: EvalOptions = {
        ...dataOptions(raw), weights: raw.weights as string, engine: raw.engine as EngineChoice, seed: raw.seed as number,
        ...(raw.cacheDir ? { cacheDir: raw.cacheDir as string } : {}),
        ...(raw.reportDir ? { reportDir: raw.reportDir as string } : {}),
      };
      const progress = env.progress();
      try {
        const { report, files } = await runEval(options, { argv: env.argv, progress, ...(env.signal ? { signal: env.signal } : {}) });
        progress.stop();
        const m = report.metrics;
        env.print(`\n${markdownTable(["measure", "accuracy %"], [
          ["crop-averaged", percent(m.cropAccuracy)], ["8-crop voting", percent(m.voteAccuracy)], ["inference crop", percent(m.inferenceCropAccuracy)],
          ...Object.entries(m.policies ?? {}).map(([name, value]) => [`classify() crops "${name}"`, percent(value)]),
        ])}\n\nreport: ${files.markdown}\n        ${files.json}\n`);
      } finally {
        progress.stop();
      }
    });

  program.command("worker")
    .description("take fold jobs from the queue and train them, one per core, until stopped (Ctrl-C hands running jobs back)")
    .requiredOption("--queue <url>", "the job queue, redis://host:port")
    .option("--concurrency <n>", "jobs at once, each in a thread of its own (default: one per core)", positiveInteger)
    .option("--work-dir <dir>", "fold checkpoints and weights (<dir>/jobs/<job>/), crop and teacher caches (<dir>/cache): share it between machines so that a retried job resumes from its last epoch", WORKER_DEFAULTS.workDir)
    .option("--data <path>", "this machine's copy of the data, when it is not at the path the run was enqueued with (its contents must be the same)")
    .addOption(new Option("--backend <name>", "TensorFlow.js backend (auto: tfjs-node if installed, else wasm, else cpu)").choices(BACKEND_PREFERENCES).default("auto"))
    .option("--lock-seconds <s>", "a running job's lock (renewed at half of it); a dead worker's job is taken again after it expires", positiveInteger, WORKER_DEFAULTS.lockSeconds)
    .option("--max-stalls <n>", "times a job may lose its worker before it is parked as failed", nonNegativeInteger, WORKER_DEFAULTS.maxStalls)
    .option("--exit-when-drained", "stop once no job waits or runs anywhere")
    .action(async (raw: Raw) => {
      const progress = env.progress();
      try {
        await runQueueWorker({
          queue: raw.queue as string, concurrency: (raw.concurrency as number | undefined) ?? availableParallelism(), workDir: raw.workDir as string,
          ...(raw.data ? { data: raw.data as string } : {}), backend: raw.backend as BackendPreference,
          lockSeconds: raw.lockSeconds as number, maxStalls: raw.maxStalls as number, exitWhenDrained: raw.exitWhenDrained === true,
        }, { argv: env.argv, progress, ...(env.signal ? { signal: env.signal } : {}) });
      } finally {
        progress.stop();
      }
    });

  program.command("status")
    .description("count the queue's waiting, running, done and failed jobs; show the running ones, the failed ones' errors and each run's progress")
    .requiredOption("--queue <url>", "the job queue, redis://host:port")
    .action(async (raw: Raw) => {
      env.print(statusText(await queueStatus(raw.queue as string)));
    });

  program.command("report")
    .description("write a queued run's report.md and report.json (and a sweep's sweep.md and sweep.json) from its jobs' results, as a local run writes them")
    .requiredOption("--queue <url>", "the job queue, redis://host:port")
    .option("--run <name>", "the run (its run or sweep folder's name, printed when it was enqueued; default: the only one)")
    .option("--out <dir>", "where the reports go (default: runs/<the run's name>)")
    .option("--work-dir <dir>", "the workers' shared work folder: copy each fold's weights into the report folder too (for publish)")
    .action(async (raw: Raw) => {
      const progress = env.progress();
      try {
        const outcome = await runQueueReport({
          queue: raw.queue as string, ...(raw.run ? { run: raw.run as string } : {}), ...(raw.out ? { out: raw.out as string } : {}),
          ...(raw.workDir ? { workDir: raw.workDir as string } : {}),
        }, { argv: env.argv, progress, ...(env.signal ? { signal: env.signal } : {}) });
        progress.stop();
        const table = outcome.sweep
          ? markdownTable(["cell", "crop-averaged %", "paper %"], outcome.sweep.cells.map((c) => [c.id, meanStd(c.cropAccuracy), c.paper === null ? "—" : c.paper.toFixed(2)]))
          : accuracyTable(outcome.cv[0].results, outcome.cv[0].split.folds);
        env.print(`\n${table}\n\nreport: ${outcome.files.markdown}\n        ${outcome.files.json}\n`);
      } finally {
        progress.stop();
      }
    });

  return program;
}
