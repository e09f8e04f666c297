import { DatasetError } from "./errors.js";
import type { Manifest, ManifestEntry } from "./manifest.js";
import { hashManifest } from "./manifest-hash.js";

/** "random": stratified k-fold; "subject": subject-independent k-fold; "predefined": given by the data. */
export type SplitProtocol = "random" | "subject" | "predefined";

/** Indices into the manifest's entries. */
export interface Fold {
  train: number[];
  test: number[];
}

export interface Split {
  protocol: SplitProtocol;
  /** Seed of the shuffle, or null for a predefined split. */
  seed: number | null;
  /** SHA-256 of the manifest the split was made from (see hashManifest). */
  manifestHash: string;
  folds: Fold[];
}

/** The train and test entries of one fold. */
export function foldEntries(manifest: Manifest, split: Split, fold: number): { train: ManifestEntry[]; test: ManifestEntry[] } {
  const chosen = split.folds[fold];
  if (!chosen) throw new RangeError(`fold ${fold} does not exist (the split has ${split.folds.length})`);
  return {
    train: chosen.train.map((i) => manifest.entries[i]),
    test: chosen.test.map((i) => manifest.entries[i]),
  };
}

/** Checks that a split belongs to this manifest and that no fold has an entry in both train and test. */
export function validateSplit(split: Split, manifest: Manifest, where = "split"): void {
  const hash = hashManifest(manifest);
  if (split.manifestHash !== hash) {
    throw new DatasetError(
      where,
      `made from a different manifest (split's manifest hash ${split.manifestHash.slice(0, 12)}..., ` +
        `this manifest ${hash.slice(0, 12)}... from ${manifest.root}); remake the split or load the data it was made from`,
    );
  }
  const n = manifest.entries.length;
  split.folds.forEach((fold, f) => {
    const inTest = new Set<number>();
    for (const i of fold.test) {
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new DatasetError(where, `fold ${f}: entry index ${i} is out of range`);
      if (inTest.has(i)) throw new DatasetError(where, `fold ${f}: ${manifest.entries[i].path} is twice in test`);
      inTest.add(i);
    }
    const inTrain = new Set<number>();
    for (const i of fold.train) {
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new DatasetError(where, `fold ${f}: entry index ${i} is out of range`);
      if (inTest.has(i)) throw new DatasetError(where, `fold ${f}: ${manifest.entries[i].path} is in both train and test`);
      if (inTrain.has(i)) throw new DatasetError(where, `fold ${f}: ${manifest.entries[i].path} is twice in train`);
      inTrain.add(i);
    }
  });
}
