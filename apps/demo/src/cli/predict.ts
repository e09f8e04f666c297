// The batch behind `microexp predict`: each file decoded, its faces found and labelled, and
// optionally an annotated copy written. A file that fails is reported and the batch goes on.
import { decodeImageFile } from "@microexp/face/node";
import type { Cascade, DetectOptions } from "@microexp/face";
import { toGray, type ExpressionClassifier } from "@microexp/infer";
import { join } from "node:path";
import { findFaces, labelFaces, type LabelledFace } from "../analyze.js";
import { annotatedName, writeAnnotated } from "./annotate.js";
import type { ImageFile } from "./find-images.js";

export interface PredictOptions {
  readonly cascade: Cascade;
  readonly classifier: ExpressionClassifier;
  readonly detect: DetectOptions;
  /** Directory for annotated copies; none written when absent. */
  readonly annotate?: string;
}

export interface FileResult {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly faces: readonly LabelledFace[];
  /** Where the annotated copy went. */
  readonly annotated?: string;
}

export interface FileFailure {
  readonly file: string;
  readonly error: string;
}

export type FileOutcome = FileResult | FileFailure;

export function failed(outcome: FileOutcome): outcome is FileFailure {
  return "error" in outcome;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Every face of one file, labelled; errors are returned (naming the file), never thrown. */
export async function predictFile(image: ImageFile, options: PredictOptions, outputName?: string): Promise<FileOutcome> {
  const file = image.path;
  let decoded;
  try {
    decoded = await decodeImageFile(file);
  } catch (error) {
    // decodeImageFile's errors already start with the path.
    return { file, error: message(error) };
  }
  try {
    const gray = toGray(decoded);
    const faces = labelFaces(options.classifier, gray, findFaces(gray, options.cascade, options.detect));
    if (!options.annotate) return { file, width: decoded.width, height: decoded.height, faces };
    const annotated = join(options.annotate, outputName ?? annotatedName(image.name));
    await writeAnnotated(decoded, faces, annotated);
    return { file, width: decoded.width, height: decoded.height, faces, annotated };
  } catch (error) {
    return { file, error: `${file}: ${message(error)}` };
  }
}

/** Output names for the annotated copies, one per file, made unique with -2, -3... */
export function uniqueOutputNames(files: readonly ImageFile[]): string[] {
  const used = new Set<string>();
  return files.map(({ name }) => {
    const wanted = annotatedName(name);
    const dot = wanted.lastIndexOf(".");
    let candidate = wanted;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${wanted.slice(0, dot)}-${n}${wanted.slice(dot)}`;
    used.add(candidate.toLowerCase());
    return candidate;
  });
}

/** The files one after another (the work is CPU-bound: in parallel it would only contend). */
export async function* predictFiles(files: readonly ImageFile[], options: PredictOptions): AsyncGenerator<FileOutcome> {
  const names = uniqueOutputNames(files);
  for (let i = 0; i < files.length; i++) yield predictFile(files[i], options, names[i]);
}
