// The parts every report shares: where, when and how it ran, and the data it ran on.
import type { BackendInfo } from "@microexp/distill";
import type { Metrics } from "@microexp/distill";
import type { CommandLine, Machine } from "./environment.js";
import { commandLine, machine, packageVersions } from "./environment.js";
import type { DatasetKind, LabelSet } from "./data.js";
import { classCounts } from "./data.js";
import type { HashedData } from "./prepare.js";
import { formatDuration, jsonNumbers, markdownTable, percent } from "./format.js";
import { writeFileAtomic } from "./files.js";
import { join } from "node:path";

export interface RunRecord {
  tool: "microexp-train";
  command: CommandLine;
  started: string;
  finished: string;
  seconds: number;
  versions: Record<string, string>;
  machine: Machine;
}

/** The engine a report's numbers came from: a tfjs backend, or @microexp/infer's runtime. */
export type EngineRecord = ({ kind: "tfjs" } & BackendInfo) | { kind: "infer"; engine: string };

export interface DataRecord {
  dataset: DatasetKind;
  path: string;
  name: string;
  labelSet: LabelSet;
  labels: string[];
  detectFaces: boolean;
  images: number;
  availableImages: number;
  limit: number | null;
  classCounts: Record<string, number>;
  /** SHA-256 of the manifest (hashManifest of @microexp/datasets). */
  manifestHash: string;
  /** SHA-256 of the manifest and the files' bytes (hashManifestContents). */
  contentHash: string;
  /** Warnings about the data (e.g. a class without images under a chosen label set). */
  warnings: string[];
}

export function runRecord(argv: readonly string[], started: Date): RunRecord {
  const finished = new Date();
  return {
    tool: "microexp-train", command: commandLine(argv), started: started.toISOString(), finished: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000, versions: packageVersions(), machine: machine(),
  };
}

export function dataRecord(data: HashedData, dataset: DatasetKind, limit: number | undefined): DataRecord {
  return {
    dataset, path: data.manifest.root, name: data.name, labelSet: data.labelSet, labels: data.manifest.labelNames,
    detectFaces: data.detectFaces, images: data.manifest.entries.length, availableImages: data.availableImages,
    limit: limit ?? null, classCounts: classCounts(data.manifest), manifestHash: data.manifestHash, contentHash: data.contentHash, warnings: data.warnings,
  };
}

export function engineRecord(backend: BackendInfo): EngineRecord {
  return { kind: "tfjs", ...backend, skipped: [...backend.skipped], customKernelNames: [...backend.customKernelNames] };
}

export function describeEngine(engine: EngineRecord): string {
  if (engine.kind === "infer") return `@microexp/infer runtime, ${engine.engine} engine`;
  const kernels = engine.customKernels ? `; the project's wasm kernels: ${engine.customKernelNames.join(", ")}` : "";
  return `tfjs ${engine.name} (backend ${engine.backendVersion}, tfjs-core ${engine.tfjsVersion}, ${engine.threads} thread${engine.threads === 1 ? "" : "s"}${kernels})`;
}

/** The "how this ran" table at the top of every Markdown report. */
export function aboutTable(run: RunRecord, data: DataRecord, engine: EngineRecord, extra: Array<[string, string]> = []): string {
  const classes = Object.entries(data.classCounts).map(([name, n]) => `${name} ${n}`).join(", ");
  const limited = data.limit !== null && data.images < data.availableImages ? ` (--limit ${data.limit} of ${data.availableImages})` : "";
  const rows: Array<[string, string]> = [
    ["command", `\`${run.command.line}\``],
    ["working folder", run.command.cwd],
    ["data", `${data.dataset} \`${data.path}\`: ${data.images} images${limited}, ${data.labels.length} classes (${data.labelSet}; faces ${data.detectFaces ? "detected" : "taken whole"})`],
    ["classes", classes],
    ["data manifest (sha256)", `\`${data.manifestHash}\``],
    ["data contents (sha256 of the manifest and the images' bytes)", `\`${data.contentHash}\``],
    ...extra,
    ["backend", describeEngine(engine)],
    ["versions", Object.entries(run.versions).map(([name, v]) => `${name} ${v}`).join(", ")],
    ["machine", `${run.machine.cpu}, ${run.machine.cores} cores, ${run.machine.memoryGiB} GiB, ${run.machine.os}, Node ${run.machine.node}`],
    ["time", `${run.started} to ${run.finished} (${formatDuration(run.seconds)})`],
  ];
  return markdownTable(["", ""], rows);
}

/** Per-class recall and the confusion matrix, as Markdown. */
export function recallAndConfusion(labels: string[], confusion: number[][], recall: number[]): string {
  const recallRows = labels.map((name, i) => [name, percent(recall[i]), String(confusion[i].reduce((a, b) => a + b, 0))]);
  const confusionRows = labels.map((name, i) => [name, ...confusion[i].map(String)]);
  return [
    "## Per-class recall (crop level)", "",
    markdownTable(["class", "recall %", "crops"], recallRows), "",
    "## Confusion matrix (crop level; rows: truth, columns: predicted)", "",
    markdownTable(["truth \\ predicted", ...labels], confusionRows),
  ].join("\n");
}

/** Metrics with NaN recall written as null (JSON has no NaN). */
export function metricsRecord(m: Metrics): Omit<Metrics, "recall"> & { recall: Array<number | null> } {
  return { ...m, recall: jsonNumbers(m.recall) };
}

export interface ReportFiles {
  json: string;
  markdown: string;
}

export function writeReport(dir: string, base: string, json: object, markdown: string): ReportFiles {
  const files = { json: join(dir, `${base}.json`), markdown: join(dir, `${base}.md`) };
  writeFileAtomic(files.json, `${JSON.stringify(json, null, 2)}\n`);
  writeFileAtomic(files.markdown, `${markdown.trimEnd()}\n`);
  return files;
}
