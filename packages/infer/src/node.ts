// Node-only entry: loads weights from files. The main entry needs no Node built-ins.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { ClassifierOptions } from "./classifier.js";
import { ExpressionClassifier } from "./classifier.js";
import { DEFAULT_MODEL, modelUrl, type ModelName } from "./model-zoo.js";

export async function loadClassifierFromFile(path: string, options: ClassifierOptions = {}): Promise<ExpressionClassifier> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`${path}: cannot read the weights file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return ExpressionClassifier.create(bytes, { source: path, ...options });
}

/** A model shipped with the package, by name (default: the package's default model). */
export async function loadModel(name: ModelName = DEFAULT_MODEL, options: ClassifierOptions = {}): Promise<ExpressionClassifier> {
  return loadClassifierFromFile(fileURLToPath(modelUrl(name)), options);
}

/** The path of a shipped weights file. */
export function modelPath(name: ModelName = DEFAULT_MODEL): string {
  return fileURLToPath(modelUrl(name));
}
