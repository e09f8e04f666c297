import { DatasetError } from "./errors.js";
import type { Manifest } from "./manifest.js";
import { hashManifest } from "./manifest-hash.js";
import type { Split } from "./split.js";

/**
 * FER2013's own split as one fold: train on `Training/`, test on `PublicTest/` (load both parts with
 * loadFer2013). Entries of any other part (PrivateTest) are in neither.
 */
export function fer2013Split(manifest: Manifest): Split {
  const train: number[] = [];
  const test: number[] = [];
  manifest.entries.forEach((entry, i) => {
    const part = entry.path.split("/")[0].toLowerCase();
    if (part === "training") train.push(i);
    else if (part === "publictest") test.push(i);
  });
  if (train.length === 0 || test.length === 0) {
    throw new DatasetError(manifest.root, "FER2013 split needs both Training and PublicTest entries (load both parts)");
  }
  return { protocol: "predefined", seed: null, manifestHash: hashManifest(manifest), folds: [{ train, test }] };
}

const BATCH_FOLDER = /^batch(\d+)$/i;

/**
 * The folds of the authors' label lists, whose images sit in folders batch0..batch9: fold i tests on
 * the entries under `batch<i>` and trains on the rest.
 */
export function splitFromBatchFolders(manifest: Manifest): Split {
  const foldOf = manifest.entries.map((entry) => {
    const segment = entry.path.split(/[\\/]/).find((part) => BATCH_FOLDER.test(part));
    if (!segment) throw new DatasetError(entry.path, "path has no batch<N> folder to take its fold from");
    return Number(BATCH_FOLDER.exec(segment)?.[1]);
  });
  const k = Math.max(...foldOf) + 1;
  const folds = Array.from({ length: k }, (_, f) => ({
    train: foldOf.flatMap((g, i) => (g === f ? [] : [i])),
    test: foldOf.flatMap((g, i) => (g === f ? [i] : [])),
  }));
  const empty = folds.findIndex((fold) => fold.test.length === 0);
  if (empty >= 0) throw new DatasetError(manifest.root, `no entries in batch${empty}: folds must be numbered 0..${k - 1}`);
  return { protocol: "predefined", seed: null, manifestHash: hashManifest(manifest), folds };
}
