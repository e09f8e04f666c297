// The `sweep` command: the paper's tables, one cross-validation per cell, each in its own run
// folder (so a sweep resumes cell by cell), reported beside the paper's numbers.
import { join, resolve } from "node:path";
import type { Summary } from "@microexp/distill";
import type { DataOptions, Protocol } from "./data.js";
import { labelSetFor } from "./data.js";
import { UsageError } from "./errors.js";
import { markdownTable, meanStd } from "./format.js";
import type { CommandContext, CvReport, RunOptions } from "./cv.js";
import { checkTrainingModels, describeTraining, runCv } from "./cv.js";
import type { PaperDataset } from "./paper-results.js";
import { PAPER_FAMILY, PAPER_KD, PAPER_SETTINGS, PAPER_SIZES, PAPER_TEMPERATURE_NOTE, PAPER_TEMPERATURES, PAPER_VARIANTS } from "./paper-results.js";
import { prepareData } from "./prepare.js";
import type { ReportFiles, RunRecord } from "./report.js";
import { aboutTable, runRecord, writeReport } from "./report.js";
import type { TrainingOptions } from "./run-config.js";
import { runName } from "./run-config.js";
import { lockRunDir } from "./run-lock.js";

export const SWEEP_TABLES = ["family", "temperature", "kd"] as const;
export type SweepTable = (typeof SWEEP_TABLES)[number];

export interface SweepOptions extends DataOptions, TrainingOptions, Omit<RunOptions, "runDir"> {
  table: SweepTable;
  protocol: Protocol;
  folds: number;
  /** The temperature table's grid (default the paper's 2, 4, 8, 16, 20, 32, 64). */
  temperatures?: number[];
  /** Run only these cells (by id), e.g. for a quick look. */
  cells?: string[];
  /** Default: runs/sweep-<table>-<data>-... */
  sweepDir?: string;
  /** Whose numbers to print beside ours (default: from the dataset). */
  paper?: PaperDataset | "none";
}

export interface SweepCell {
  id: string;
  row: string;
  column: string;
  training: TrainingOptions;
  /** The paper's accuracy in %, when it reports this cell. */
  paper: number | null;
}

export interface SweepCellResult extends Omit<SweepCell, "training"> {
  training: CvReport["training"];
  runDir: string;
  cropAccuracy: Summary;
  voteAccuracy: Summary;
  inferenceCropAccuracy: Summary;
  teacherCropAccuracy: Summary | null;
}

export interface SweepReport {
  kind: "sweep";
  table: SweepTable;
  paper: { dataset: PaperDataset | "none"; protocol: Protocol; note: string };
  run: RunRecord;
  sweepDir: string;
  rows: string[];
  columns: string[];
  cells: SweepCellResult[];
  /** Cells of the table that were left out with --cells. */
  notRun: string[];
  /** The first cell's report header (data, engine, seeds are the same for every cell). */
  first: Pick<CvReport, "data" | "engine" | "split" | "seeds"> | null;
}

/** The paper's dataset for a data set: CK+ label sets compare with CK+, Oulu's with Oulu-CASIA. */
export function paperDatasetFor(options: Pick<SweepOptions, "dataset" | "labels" | "paper">): PaperDataset | "none" {
  if (options.paper) return options.paper;
  const labelSet = labelSetFor(options);
  if (labelSet === "ck7" || labelSet === "ck8") return "ckplus";
  if (labelSet === "oulu") return "oulu";
  return "none";
}

export function sweepCells(options: SweepOptions): SweepCell[] {
  const paper = paperDatasetFor(options);
  const base: TrainingOptions = { ...options };
  const needTeacher = () => {
    if (!options.teacher && !options.teacherFrom) throw new UsageError(`--table ${options.table} needs --teacher or --teacher-from (the network the students learn from)`);
  };
  // A vanilla cell has no teacher of either kind (cv would take --teacher-from's back).
  const vanilla = { teacher: undefined, teacherFrom: undefined, onlineTeacher: undefined, teacherCrops: undefined };
  switch (options.table) {
    case "family": {
      const protocol = options.protocol === "predefined" ? undefined : options.protocol;
      return PAPER_VARIANTS.flatMap((variant) => PAPER_SIZES.map((size) => ({
        id: `${variant}-${size}`, row: variant, column: size,
        training: { ...base, model: `${variant}-${size}`, ...vanilla },
        paper: paper !== "none" && protocol ? PAPER_FAMILY[protocol][paper][variant][size] : null,
      })));
    }
    case "temperature":
      needTeacher();
      return (options.temperatures ?? [...PAPER_TEMPERATURES]).map((temperature) => ({
        id: `T${temperature}`, row: options.model, column: `T=${temperature}`,
        training: { ...base, temperature }, paper: null,
      }));
    case "kd":
      needTeacher();
      return PAPER_SIZES.flatMap((size) => [
        { id: `vanilla-p12-${size}`, row: "vanilla", column: size, training: { ...base, model: `p12-${size}`, ...vanilla }, paper: paper === "none" ? null : PAPER_KD[paper].vanilla[size] },
        { id: `kd-p12-${size}`, row: "student (KD)", column: size, training: { ...base, model: `p12-${size}` }, paper: paper === "none" ? null : PAPER_KD[paper].distilled[size] },
      ]);
  }
}

function paperNote(table: SweepTable, paper: PaperDataset | "none", protocol: Protocol): string {
  if (paper === "none") return "No paper numbers for this dataset (the paper reports CK+ and Oulu-CASIA).";
  const name = paper === "ckplus" ? "CK+" : "Oulu-CASIA";
  const settings = `The paper: ${PAPER_SETTINGS.folds}-fold, Adam lr ${PAPER_SETTINGS.learningRate}, batch ${PAPER_SETTINGS.batchSize}. ${PAPER_SETTINGS.note}`;
  if (table === "temperature") return `${PAPER_TEMPERATURE_NOTE} ${settings}`;
  if (table === "kd") {
    const mismatch = protocol === "subject" ? "" : " (ours ran another protocol: compare with care)";
    return `Paper: ${name}, p12 family, subject-independent split, ${PAPER_SETTINGS.epochs} epochs, T ${PAPER_SETTINGS.temperature}, lambda ${PAPER_SETTINGS.lambda}${mismatch}. ${settings}`;
  }
  return protocol === "predefined"
    ? `The paper has no numbers for a predefined split. ${settings}`
    : `Paper: ${name}, ${protocol === "subject" ? "subject-independent" : "random"} split, vanilla training. ${settings}`;
}

export function defaultSweepDir(options: SweepOptions): string {
  const model = options.table === "family" ? "vanilla" : options.table === "kd" ? "p12" : options.model;
  const teachers = options.table === "family" ? { teacher: undefined, teacherFrom: undefined, onlineTeacher: undefined, teacherCrops: undefined } : {};
  return resolve("runs", runName({ prefix: `sweep-${options.table}`, data: options, training: { ...options, model, ...teachers }, protocol: options.protocol, folds: options.folds,
    temperatureVaries: options.table === "temperature" }));
}

/** The table's cells and those of them to run (--cells), checked. */
export function chooseSweepCells(options: SweepOptions): { all: SweepCell[]; cells: SweepCell[] } {
  const all = sweepCells(options);
  const wanted = options.cells ? new Set(options.cells) : undefined;
  if (wanted) {
    const unknown = [...wanted].filter((id) => !all.some((cell) => cell.id === id));
    if (unknown.length) throw new UsageError(`--cells ${unknown.join(",")}: not in the ${options.table} table; its cells are ${all.map((c) => c.id).join(", ")}`);
  }
  const cells = wanted ? all.filter((cell) => wanted.has(cell.id)) : all;
  cells.forEach((cell) => checkTrainingModels(cell.training));
  return { all, cells };
}

export async function runSweep(options: SweepOptions, context: CommandContext): Promise<{ report: SweepReport; files: ReportFiles }> {
  const started = new Date();
  const { all, cells } = chooseSweepCells(options);
  const sweepDir = resolve(options.sweepDir ?? defaultSweepDir(options));
  const unlock = lockRunDir(sweepDir, "sweep folder");
  try {
    return await runLockedSweep(options, context, { all, cells, sweepDir, started });
  } finally {
    unlock();
  }
}

async function runLockedSweep(options: SweepOptions, context: CommandContext, plan: { all: SweepCell[]; cells: SweepCell[]; sweepDir: string; started: Date }): Promise<{ report: SweepReport; files: ReportFiles }> {
  const { all, cells, sweepDir, started } = plan;
  const cacheDir = resolve(options.cacheDir ?? join(sweepDir, "cache"));
  const { progress } = context;
  const data = await prepareData(options, options.seed, cacheDir, progress, context.signal);
  progress.log(`sweep folder: ${sweepDir} (${cells.length} of ${all.length} cells)`);

  const reports: CvReport[] = [];
  for (const [index, cell] of cells.entries()) {
    progress.log(`cell ${index + 1}/${cells.length}: ${cell.id}`);
    const { report: cv } = await runCv({ ...options, ...cell.training, runDir: join(sweepDir, cell.id), cacheDir }, context, data);
    reports.push(cv);
    // Written after every cell, so an interrupted sweep still shows what it has.
    const current = sweepReport(options, { all, cells, sweepDir }, runRecord(context.argv, started), reports);
    writeReport(sweepDir, "sweep", current, sweepMarkdown(current));
  }
  const final = sweepReport(options, { all, cells, sweepDir }, runRecord(context.argv, started), reports);
  return { report: final, files: writeReport(sweepDir, "sweep", final, sweepMarkdown(final)) };
}

/** The sweep's report from its cells' cross-validation reports (in the order of `cells`; run ones first). */
export function sweepReport(options: SweepOptions, plan: { all: SweepCell[]; cells: SweepCell[]; sweepDir: string }, run: RunRecord, reports: CvReport[]): SweepReport {
  const { all, cells } = plan;
  const paper = paperDatasetFor(options);
  const first = reports[0];
  return {
    kind: "sweep", table: options.table,
    paper: { dataset: paper, protocol: options.protocol, note: paperNote(options.table, paper, options.protocol) },
    run, sweepDir: plan.sweepDir,
    rows: [...new Set(all.map((c) => c.row))], columns: [...new Set(all.map((c) => c.column))],
    cells: reports.map((cv, i) => {
      const cell = cells[i];
      const r = cv.results;
      return {
        id: cell.id, row: cell.row, column: cell.column, paper: cell.paper, training: cv.training, runDir: cv.runDir,
        cropAccuracy: r.cropAccuracy, voteAccuracy: r.voteAccuracy, inferenceCropAccuracy: r.inferenceCropAccuracy, teacherCropAccuracy: r.teacherCropAccuracy,
      };
    }),
    notRun: all.filter((c) => !cells.some((chosen) => chosen.id === c.id)).map((c) => c.id),
    first: first ? { data: first.data, engine: first.engine, split: first.split, seeds: first.seeds } : null,
  };
}

/** The table laid out as in the paper: ours (mean ± std of the crop-averaged accuracy) and the paper's number. */
export function sweepMarkdown(report: SweepReport): string {
  const cellText = (row: string, column: string) => {
    const result = report.cells.find((c) => c.row === row && c.column === column);
    if (!result) return "not run";
    return `${meanStd(result.cropAccuracy)}${result.paper !== null ? ` (paper ${result.paper.toFixed(2)})` : ""}`;
  };
  const tableRows = report.rows.map((row) => [row, ...report.columns.map((column) => cellText(row, column))]);
  const detailRows = report.cells.map((c) => [
    c.id, meanStd(c.cropAccuracy), c.paper === null ? "—" : c.paper.toFixed(2), meanStd(c.voteAccuracy), meanStd(c.inferenceCropAccuracy),
    meanStd(c.teacherCropAccuracy ?? undefined), `\`${c.runDir}\``,
  ]);
  const titles: Record<SweepTable, string> = {
    family: "Architecture search (vanilla training)",
    temperature: "Distillation temperature",
    kd: "Without vs with distillation (p12 family)",
  };
  const first = report.first;
  return [
    `# Sweep: ${titles[report.table]}`, "",
    report.paper.note, "",
    first ? aboutTable(report.run, first.data, first.engine, [
      ["split", `${first.split.protocol}, ${first.split.folds} folds, seed ${first.split.seed ?? "—"}`],
      ["seeds", `split ${first.seeds.split}; fold f trains with seed ${first.seeds.split} + f`],
      ["training", report.cells[0] ? describeTraining(report.cells[0].training, { model: report.table !== "temperature", temperature: report.table === "temperature" }) +
        (report.table === "kd" ? " (vanilla cells: no teacher)" : "") : "—"],
    ]) : "No cell has finished yet.", "",
    "## Crop-averaged accuracy % (mean ± std over the folds; the paper's number in brackets)", "",
    markdownTable(["", ...report.columns], tableRows), "",
    "## Every cell", "",
    markdownTable(["cell", "crop-averaged %", "paper %", "voting %", "inference crop %", "teacher %", "run folder"], detailRows), "",
    report.notRun.length ? `Not run (left out with --cells): ${report.notRun.join(", ")}.` : "", "",
  ].join("\n");
}

