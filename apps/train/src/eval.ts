// The `eval` command: a weights file, run by @microexp/infer (no TensorFlow.js), against a
// dataset: crop-averaged accuracy, 8-crop voting, the inference crop, recall and confusion.
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { findLabel } from "@microexp/datasets";
import type { Metrics } from "@microexp/distill";
import { CROP_PIXELS, CROPS_PER_IMAGE, metricsFromLogits } from "@microexp/distill";
import { gatherInputs, mirrorCrops } from "@microexp/distill/internal";
import type { EngineChoice, ModelInfo } from "@microexp/infer";
import { loadClassifierFromFile } from "@microexp/infer/node";
import type { CommandContext } from "./cv.js";
import type { DataOptions } from "./data.js";
import { UsageError } from "./errors.js";
import { markdownTable, percent } from "./format.js";
import { prepareData } from "./prepare.js";
import type { DataRecord, EngineRecord, ReportFiles, RunRecord } from "./report.js";
import { aboutTable, dataRecord, metricsRecord, recallAndConfusion, runRecord, writeReport } from "./report.js";
import { safeName } from "./files.js";
import { dataName } from "./run-config.js";

export interface EvalOptions extends DataOptions {
  weights: string;
  engine: EngineChoice;
  /** Where report.json and report.md go. Default: runs/eval-<weights>-<data>. */
  reportDir?: string;
  /** Crop cache. Default: runs/cache. */
  cacheDir?: string;
  seed: number;
}

export interface EvalReport {
  kind: "eval";
  run: RunRecord;
  data: DataRecord;
  weights: { file: string; architecture: string; labels: string[]; modelCard: ModelInfo };
  engine: EngineRecord;
  /** Over the weights' labels (a class the data lacks has recall null). */
  metrics: ReturnType<typeof metricsRecord>;
  seconds: { classify: number; perCrop: number };
}

/** Runs `classify` on every crop of every image, in batches; logits in the weights' label order. */
function classifyAllCrops(classify: (inputs: Float32Array, count: number) => Float32Array[], crops: Parameters<typeof gatherInputs>[0], numClasses: number, onProgress: (done: number) => void, signal?: AbortSignal, mirrored = false): Float32Array {
  const samples = crops.count * CROPS_PER_IMAGE;
  const out = new Float32Array(samples * numClasses);
  const batch = 512;
  const indices = new Uint32Array(batch);
  const input = new Float32Array(batch * CROP_PIXELS);
  for (let start = 0; start < samples; start += batch) {
    signal?.throwIfAborted();
    const n = Math.min(batch, samples - start);
    for (let k = 0; k < n; k++) indices[k] = start + k;
    gatherInputs(crops, indices.subarray(0, n), input);
    // The runtime's flip policies run each crop mirrored left to right.
    if (mirrored) mirrorCrops(input, n);
    classify(input.subarray(0, n * CROP_PIXELS), n).forEach((logits, k) => out.set(logits, (start + k) * numClasses));
    onProgress(Math.floor((start + n) / CROPS_PER_IMAGE));
  }
  return out;
}

export async function runEval(options: EvalOptions, context: CommandContext): Promise<{ report: EvalReport; files: ReportFiles }> {
  const started = new Date();
  const weightsFile = resolve(options.weights);
  if (!existsSync(weightsFile)) throw new UsageError(`--weights ${weightsFile}: no such file`);
  const classifier = await loadClassifierFromFile(weightsFile, { engine: options.engine });
  const reportDir = resolve(options.reportDir ?? resolve("runs", safeName(`eval-${basename(weightsFile).replace(/\.mxw$/, "")}-${dataName(options)}`)));
  const cacheDir = resolve(options.cacheDir ?? resolve("runs", "cache"));
  const { progress, signal } = context;
  const data = await prepareData(options, options.seed, cacheDir, progress, signal);
  const modelLabels = [...classifier.labels];
  // The data's classes are matched to the weights' labels by name (aliases allowed: happiness = happy).
  const toModel = data.manifest.labelNames.map((name) => {
    const index = findLabel(modelLabels, name);
    if (index < 0) throw new UsageError(`class "${name}" of ${data.name} is not among the labels of ${weightsFile} (${modelLabels.join(", ")})`);
    return index;
  });
  const labels = Int32Array.from(data.crops.labels, (label) => toModel[label]);
  const task = progress.task(`classifying (${classifier.engineKind})`, data.crops.count);
  const classify = (inputs: Float32Array, count: number) => classifier.classifyInputs(inputs, count).map((p) => p.logits);
  const t0 = performance.now();
  const logits = classifyAllCrops(classify, data.crops, modelLabels.length, (done) => task.update(done), signal);
  const classifySeconds = (performance.now() - t0) / 1000;
  task.done();
  const mirroredTask = progress.task("classifying the mirrored crops (flip policies)", data.crops.count);
  const mirrored = classifyAllCrops(classify, data.crops, modelLabels.length, (done) => mirroredTask.update(done), signal, true);
  mirroredTask.done();
  const metrics: Metrics = metricsFromLogits(logits, labels, modelLabels.length, mirrored);
  const report: EvalReport = {
    kind: "eval", run: runRecord(context.argv, started), data: dataRecord(data, options.dataset, options.limit),
    weights: { file: weightsFile, architecture: classifier.weights.network.graph.name, labels: modelLabels, modelCard: classifier.weights.model },
    engine: { kind: "infer", engine: classifier.engineKind },
    metrics: metricsRecord(metrics),
    seconds: { classify: classifySeconds, perCrop: classifySeconds / (data.crops.count * CROPS_PER_IMAGE) },
  };
  return { report, files: writeReport(reportDir, "report", report, evalMarkdown(report)) };
}

export function evalMarkdown(report: EvalReport): string {
  const m = report.metrics;
  const card = report.weights.modelCard;
  return [
    `# Evaluation: ${basename(report.weights.file)} on ${report.data.name}`, "",
    aboutTable(report.run, report.data, report.engine, [
      ["weights", `\`${report.weights.file}\`: ${report.weights.architecture}, labels ${report.weights.labels.join(", ")}`],
      ["model card", card.name ? `${String(card.name)}${card.version ? ` ${String(card.version)}` : ""}${card.source ? ` (${String(card.source)})` : ""}` : "—"],
      ["speed", `${(report.seconds.perCrop * 1000).toFixed(3)} ms per crop (${report.data.images * 8} crops in ${report.seconds.classify.toFixed(2)} s)`],
    ]), "",
    "## Accuracy", "",
    markdownTable(["measure", "accuracy %"], [
      ["crop-averaged (the paper's measure)", percent(m.cropAccuracy)],
      ["8-crop voting (mean of the logits)", percent(m.voteAccuracy)],
      ["inference crop only (the runtime's)", percent(m.inferenceCropAccuracy)],
      ...Object.entries(m.policies ?? {}).map(([name, value]) => [`classify() with crops "${name}" (softmax mean)`, percent(value)]),
    ]), "",
    recallAndConfusion(report.weights.labels, m.confusion, m.recall.map((v) => v ?? Number.NaN)), "",
  ].join("\n");
}
