import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { DatasetError } from "./errors.js";
import type { Manifest } from "./manifest.js";
import { validateSplit, type Split, type SplitProtocol } from "./split.js";
import { writeFileAtomic } from "./write-atomic.js";

/** A split as saved: entries by path, so the file reads on any machine; `train` is left out when it is "all the rest". */
export interface SplitJson {
  format: "microexp-split";
  version: 1;
  protocol: SplitProtocol;
  seed: number | null;
  manifestHash: string;
  source: string;
  entryCount: number;
  labelNames: string[];
  folds: { test: string[]; train?: string[] }[];
}

const PROTOCOLS: readonly SplitProtocol[] = ["random", "subject", "predefined"];

export function splitToJson(split: Split, manifest: Manifest): SplitJson {
  validateSplit(split, manifest);
  const n = manifest.entries.length;
  return {
    format: "microexp-split",
    version: 1,
    protocol: split.protocol,
    seed: split.seed,
    manifestHash: split.manifestHash,
    source: manifest.source,
    entryCount: n,
    labelNames: [...manifest.labelNames],
    folds: split.folds.map((fold) => {
      const test = fold.test.map((i) => manifest.entries[i].path);
      const isRest = fold.train.length + fold.test.length === n;
      return isRest ? { test } : { test, train: fold.train.map((i) => manifest.entries[i].path) };
    }),
  };
}

/** Rebuilds a split against a manifest; a clear error if it was made from different data or is malformed. */
export function splitFromJson(json: unknown, manifest: Manifest, where = "split"): Split {
  const data = json as Partial<SplitJson> | null;
  if (typeof data !== "object" || data === null || data.format !== "microexp-split") {
    throw new DatasetError(where, 'not a split file (no "format": "microexp-split")');
  }
  if (data.version !== 1) throw new DatasetError(where, `unsupported split version ${String(data.version)}`);
  if (!PROTOCOLS.includes(data.protocol as SplitProtocol)) throw new DatasetError(where, `unknown protocol ${String(data.protocol)}`);
  if (typeof data.manifestHash !== "string") throw new DatasetError(where, "missing manifestHash");
  if (!Array.isArray(data.folds)) throw new DatasetError(where, "missing folds");
  const indexOf = new Map(manifest.entries.map((entry, i) => [entry.path, i]));
  const toIndices = (paths: unknown, f: number, part: string): number[] => {
    if (!Array.isArray(paths)) throw new DatasetError(where, `fold ${f}: ${part} is not a list of paths`);
    return paths.map((path) => {
      const i = indexOf.get(path as string);
      if (i === undefined) throw new DatasetError(where, `fold ${f}: ${String(path)} is not in the manifest`);
      return i;
    });
  };
  const split: Split = {
    protocol: data.protocol as SplitProtocol,
    seed: typeof data.seed === "number" ? data.seed : null,
    manifestHash: data.manifestHash,
    folds: [],
  };
  // The hash check comes first: a split of other data fails with the clearest message.
  validateSplit(split, manifest, where);
  split.folds = data.folds.map((fold, f) => {
    const test = toIndices(fold?.test, f, "test");
    let train: number[];
    if (fold?.train === undefined) {
      const inTest = new Set(test);
      train = manifest.entries.map((_, i) => i).filter((i) => !inTest.has(i));
    } else {
      train = toIndices(fold.train, f, "train");
    }
    return { train, test };
  });
  validateSplit(split, manifest, where);
  return split;
}

/** Saves a split as JSON (to a temporary name, then renamed). */
export async function saveSplit(file: string, split: Split, manifest: Manifest): Promise<void> {
  await writeFileAtomic(resolve(file), `${JSON.stringify(splitToJson(split, manifest), null, 1)}\n`);
}

/** Loads a split saved by saveSplit and checks it against the manifest it is meant for. */
export async function loadSplit(file: string, manifest: Manifest): Promise<Split> {
  const absFile = resolve(file);
  let text: string;
  try {
    text = await readFile(absFile, "utf8");
  } catch (error) {
    throw new DatasetError(absFile, `cannot read split file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(absFile, `not valid JSON (${(error as Error).message})`);
  }
  return splitFromJson(json, manifest, absFile);
}
