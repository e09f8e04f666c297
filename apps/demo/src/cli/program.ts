// The `microexp` command line.
import { PAPER_CASCADE, PAPER_DETECT_OPTIONS, SHIPPED_CASCADES, loadCascade, type DetectOptions, type ShippedCascadeName } from "@microexp/face";
import type { ExpressionClassifier } from "@microexp/infer";
import { loadClassifierFromFile, loadModel } from "@microexp/infer/node";
import { constants } from "node:fs";
import { access, mkdir, stat } from "node:fs/promises";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { findImages } from "./find-images.js";
import { formatTable, jsonOutcome } from "./format.js";
import { failed, predictFiles, type FileOutcome } from "./predict.js";

/** Exit codes: every file labelled; some file failed; the command could not run at all. */
export const EXIT_OK = 0;
export const EXIT_FILE_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

interface PredictFlags {
  json?: boolean;
  annotate?: string;
  weights?: string;
  cascade: ShippedCascadeName;
  scaleFactor: number;
  minNeighbors: number;
  minSize?: number;
}

function scaleFactor(value: string): number {
  const n = Number(value);
  if (!(n > 1) || !Number.isFinite(n)) throw new InvalidArgumentError("it must be a number above 1.");
  return n;
}

function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`it must be a whole number of at least ${min}.`);
    return n;
  };
}

async function loadClassifier(weights: string | undefined): Promise<ExpressionClassifier> {
  return weights ? loadClassifierFromFile(weights) : loadModel();
}

async function predict(paths: string[], flags: PredictFlags, io: CliIo): Promise<number> {
  const detect: DetectOptions = {
    scaleFactor: flags.scaleFactor,
    minNeighbors: flags.minNeighbors,
    ...(flags.minSize ? { minSize: { width: flags.minSize, height: flags.minSize } } : {}),
  };
  let classifier: ExpressionClassifier;
  try {
    classifier = await loadClassifier(flags.weights);
  } catch (error) {
    io.stderr(`microexp: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_USAGE;
  }
  if (flags.annotate) {
    const problem = await outputFolderProblem(flags.annotate);
    if (problem) {
      io.stderr(`microexp: --annotate ${flags.annotate}: ${problem}\n`);
      return EXIT_USAGE;
    }
  }
  const cascade = await loadCascade(flags.cascade);
  const { files, problems, skipped } = await findImages(paths);
  for (const { path, problem } of problems) io.stderr(`microexp: ${path}: ${problem}\n`);
  for (const { path, problem } of skipped) io.stderr(`microexp: skipped ${path}: ${problem}\n`);
  if (files.length === 0 && problems.length === 0) {
    io.stderr(`microexp: no image files in ${paths.join(", ")} (looked for ${"png, jpg, jpeg, webp, gif, tif, tiff, bmp, avif"})\n`);
    return EXIT_FILE_FAILED;
  }
  const outcomes: FileOutcome[] = problems.map(({ path, problem }) => ({ file: path, error: `${path}: ${problem}` }));
  for await (const outcome of predictFiles(files, { cascade, classifier, detect, annotate: flags.annotate })) {
    if (failed(outcome)) io.stderr(`microexp: ${outcome.error}\n`);
    else {
      for (const warning of outcome.warnings ?? []) io.stderr(`microexp: warning: ${outcome.file}: ${warning}\n`);
      if (outcome.annotateError) io.stderr(`microexp: no annotated copy: ${outcome.annotateError}\n`);
    }
    outcomes.push(outcome);
  }
  if (flags.json) io.stdout(`${JSON.stringify(outcomes.map(jsonOutcome), null, 2)}\n`);
  else io.stdout(formatTable(outcomes));
  const failures = outcomes.filter(failed).length;
  const unannotated = outcomes.filter((o) => !failed(o) && o.annotateError).length;
  const faces = outcomes.reduce((n, o) => n + (failed(o) ? 0 : o.faces.length), 0);
  const annotated = flags.annotate ? `; annotated copies in ${flags.annotate}${unannotated ? ` (${unannotated} not written)` : ""}` : "";
  io.stderr(`${outcomes.length} file(s), ${faces} face(s), ${failures} failed${annotated}\n`);
  return failures > 0 || unannotated > 0 ? EXIT_FILE_FAILED : EXIT_OK;
}

/** Why annotated copies cannot go to `dir` (checked before any work), or undefined. */
async function outputFolderProblem(dir: string): Promise<string | undefined> {
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) return "exists and is not a folder; name a folder for the annotated copies";
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    return `cannot write there (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  return undefined;
}

/** Runs the command line on `args` (without "node" and the script) and returns the exit code. */
export async function runCli(args: readonly string[], io: CliIo = processIo): Promise<number> {
  let code = EXIT_OK;
  const program = new Command("microexp")
    .description("Facial expression recognition: finds every face in images and labels its expression (@microexp/infer's default model, or --weights).")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program
    .command("predict")
    .description("label the expression of every face in the images (directories are walked)")
    .argument("<images...>", "image files or directories")
    .option("--json", "print JSON instead of a table")
    .option("--annotate <dir>", "write copies of the images with the faces drawn into <dir>")
    .option("--weights <file>", "a weights file (.mxw, any network @microexp/infer runs) instead of the shipped default")
    .addOption(new Option("--cascade <name>", "the face detector").choices(SHIPPED_CASCADES).default(PAPER_CASCADE))
    .option("--scale-factor <number>", "how much the detector's window grows from one scale to the next; the paper's value", scaleFactor, PAPER_DETECT_OPTIONS.scaleFactor)
    .option("--min-neighbors <count>", "raw detections a face needs beyond its own; the paper's value", wholeNumber(0), PAPER_DETECT_OPTIONS.minNeighbors)
    .option("--min-size <pixels>", "smallest face looked for (default: the detector's window)", wholeNumber(1))
    .action(async (paths: string[], flags: PredictFlags) => {
      code = await predict(paths, flags, io);
    });
  try {
    await program.parseAsync([...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    throw error;
  }
  return code;
}
