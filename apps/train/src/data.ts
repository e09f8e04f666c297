// Loads the dataset a command names, as a manifest, and makes the cross-validation split.
import { existsSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { Manifest, Split } from "@microexp/datasets";
import {
  CK_PLUS_EMOTIONS, CK_PLUS_LABELS, checkClasses, FER2013_LABELS, OULU_CASIA_LABELS, fer2013Split, loadCkPlus, loadFer2013,
  loadFolderDataset, loadOuluCasia, mulberry32, randomKFold, readLabelList, shuffle, splitFromBatchFolders, subjectKFold,
} from "@microexp/datasets";
import { UsageError } from "./errors.js";

export const DATASET_KINDS = ["ckplus", "oulu", "folder", "fer2013", "list"] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/** Label sets by name: "folders" keeps a folder dataset's own class folders (sorted). */
export const LABEL_SETS = ["ck8", "ck7", "oulu", "fer2013", "folders"] as const;
export type LabelSet = (typeof LABEL_SETS)[number];

export const PROTOCOLS = ["random", "subject", "predefined"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface DataOptions {
  dataset: DatasetKind;
  data: string;
  labels?: LabelSet;
  /** Folder that a label list's relative paths start from. */
  root?: string;
  /** Find the face first (default: yes for the original CK+ and Oulu-CASIA frames, no for cropped faces). */
  detectFaces?: boolean;
  /** Keep only this many images (a class-balanced, seeded choice): for smoke runs. */
  limit?: number;
}

export interface LoadedData {
  manifest: Manifest;
  /** What the data is called in run names and reports (the data folder's or list's name). */
  name: string;
  labelSet: LabelSet;
  detectFaces: boolean;
  /** Images in the dataset before --limit. */
  availableImages: number;
  /** Problems the user should see (e.g. a class without images under a chosen --labels). */
  warnings: string[];
}

const LABELS: Record<Exclude<LabelSet, "folders">, readonly string[]> = {
  ck8: CK_PLUS_LABELS, ck7: CK_PLUS_EMOTIONS, oulu: OULU_CASIA_LABELS, fer2013: FER2013_LABELS,
};

const ALLOWED_LABELS: Record<DatasetKind, readonly LabelSet[]> = {
  ckplus: ["ck8", "ck7"],
  oulu: ["oulu"],
  folder: ["folders", "ck8", "ck7", "oulu", "fer2013"],
  fer2013: ["fer2013"],
  list: ["ck8", "ck7", "oulu", "fer2013"],
};

const DEFAULT_LABELS: Record<DatasetKind, LabelSet> = { ckplus: "ck8", oulu: "oulu", folder: "folders", fer2013: "fer2013", list: "ck8" };

export function labelSetFor(options: Pick<DataOptions, "dataset" | "labels">): LabelSet {
  const labelSet = options.labels ?? DEFAULT_LABELS[options.dataset];
  if (!ALLOWED_LABELS[options.dataset].includes(labelSet)) {
    throw new UsageError(`--labels ${labelSet} does not apply to --dataset ${options.dataset}; use one of ${ALLOWED_LABELS[options.dataset].join(", ")}`);
  }
  return labelSet;
}

export async function loadData(options: DataOptions, seed: number): Promise<LoadedData> {
  const path = resolve(options.data);
  if (!existsSync(path)) throw new UsageError(`--data ${path}: no such file or folder`);
  const isFile = statSync(path).isFile();
  if (options.dataset === "list" ? !isFile : isFile) {
    throw new UsageError(`--data ${path}: --dataset ${options.dataset} needs ${options.dataset === "list" ? "a label list file" : "a folder"}`);
  }
  const labelSet = labelSetFor(options);
  let manifest: Manifest;
  switch (options.dataset) {
    case "ckplus":
      manifest = await loadCkPlus(path, { neutral: labelSet === "ck7" ? "none" : "all-sequences" });
      break;
    case "oulu":
      manifest = await loadOuluCasia(path);
      break;
    case "fer2013":
      manifest = await loadFer2013(path);
      break;
    case "list":
      manifest = await readLabelList(path, { labelNames: LABELS[labelSet as Exclude<LabelSet, "folders">], ...(options.root ? { root: resolve(options.root) } : {}) });
      break;
    case "folder":
      manifest = labelSet === "folders"
        ? await loadFolderDataset(path)
        : await loadFolderDataset(path, { labelNames: LABELS[labelSet], ...(labelSet === "ck7" ? { ignoreFolders: ["neutral"] } : {}) });
      break;
  }
  if (manifest.entries.length === 0) throw new UsageError(`--data ${path}: no images found for --dataset ${options.dataset}`);
  // Fewer than two classes is an error; an empty class too, unless --labels chose the label set.
  const warnings = checkClasses(manifest, { allowEmptyClasses: options.labels !== undefined });
  const availableImages = manifest.entries.length;
  if (options.limit !== undefined && options.limit < availableImages) manifest = limitManifest(manifest, options.limit, seed);
  const detectFaces = options.detectFaces ?? (options.dataset === "ckplus" || options.dataset === "oulu");
  return { manifest, name: basename(path).replace(/\.[^.]*$/, "") || "data", labelSet, detectFaces, availableImages, warnings };
}

/**
 * `limit` images chosen class by class in turn (each class shuffled with the seed), so that a
 * small smoke run still sees every class; the entries keep the manifest's order.
 */
export function limitManifest(manifest: Manifest, limit: number, seed: number): Manifest {
  const random = mulberry32(seed);
  const byClass = manifest.labelNames.map((_, label) => shuffle(manifest.entries.flatMap((e, i) => (e.label === label ? [i] : [])), random));
  const chosen = new Set<number>();
  for (let round = 0; chosen.size < limit; round++) {
    for (const group of byClass) {
      if (round < group.length && chosen.size < limit) chosen.add(group[round]);
    }
  }
  return { ...manifest, entries: manifest.entries.filter((_, i) => chosen.has(i)) };
}

export interface SplitOptions {
  protocol: Protocol;
  folds: number;
  seed: number;
}

export function makeSplit(data: LoadedData, dataset: DatasetKind, options: SplitOptions): Split {
  const { manifest } = data;
  try {
    if (options.protocol === "random") return randomKFold(manifest, { k: options.folds, seed: options.seed });
    if (options.protocol === "subject") return subjectKFold(manifest, { k: options.folds, seed: options.seed });
    if (dataset === "fer2013") return fer2013Split(manifest);
    if (dataset === "list") return splitFromBatchFolders(manifest);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(`${options.protocol} split of ${data.name}: ${error.message}`);
    throw error;
  }
  throw new UsageError(`--protocol predefined needs --dataset fer2013 (Training/PublicTest) or a label list in batch0..batchN folders`);
}

/** Images per class, by class name. */
export function classCounts(manifest: Manifest): Record<string, number> {
  const counts = Object.fromEntries(manifest.labelNames.map((name) => [name, 0]));
  for (const entry of manifest.entries) counts[entry.labelName] += 1;
  return counts;
}
