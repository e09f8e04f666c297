// The batch behind `microexp predict`: each file decoded, its faces found and labelled, and
// optionally an annotated copy written. A file that fails is reported and the batch goes on.
import { decodeImageFile, type DecodedImage } from "@microexp/face/node";
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
  /** Why no annotated copy was written (the predictions stand). */
  readonly annotateError?: string;
  /** Something the user should know about the result, e.g. a damaged file decoded leniently. */
  readonly warnings?: readonly string[];
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

/**
 * Decodes strictly, else leniently with a warning: a photo with a damaged scan still gets its
 * faces labelled, but the user learns that its pixels may be wrong.
 */
async function decode(file: string): Promise<{ decoded: DecodedImage; warnings: string[] }> {
  try {
    return { decoded: await decodeImageFile(file, { failOn: "warning" }), warnings: [] };
  } catch (strict) {
    const decoded = await decodeImageFile(file); // throws when even the lenient decode fails
    return { decoded, warnings: [`damaged image, decoded leniently (part of it may be wrong): ${message(strict).replace(`${file}: `, "")}`] };
  }
}

/** Every face of one file, labelled; errors are returned (naming the file), never thrown. */
export async function predictFile(image: ImageFile, options: PredictOptions, outputName?: string): Promise<FileOutcome> {
  const file = image.path;
  let decoded: DecodedImage, warnings: string[];
  try {
    ({ decoded, warnings } = await decode(file));
  } catch (error) {
    // decodeImageFile's errors already start with the path.
    return { file, error: message(error) };
  }
  let result: FileResult;
  try {
    const gray = toGray(decoded);
    const faces = labelFaces(options.classifier, gray, findFaces(gray, options.cascade, options.detect));
    result = { file, width: decoded.width, height: decoded.height, faces, ...(warnings.length ? { warnings } : {}) };
  } catch (error) {
    return { file, error: `${file}: ${message(error)}` };
  }
  if (!options.annotate) return result;
  // The predictions are kept whatever happens to the annotated copy.
  const annotated = join(options.annotate, outputName ?? annotatedName(image.name));
  try {
    await writeAnnotated(decoded, result.faces, annotated);
    return { ...result, annotated };
  } catch (error) {
    return { ...result, annotateError: `${annotated}: ${message(error)}` };
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
