import { comparePaths, type Manifest } from "./manifest.js";
import { hashManifest } from "./manifest-hash.js";
import { mulberry32, shuffle } from "./prng.js";
import type { Fold, Split } from "./split.js";

export interface KFoldOptions {
  /** Number of folds. Default 10 (the paper). */
  k?: number;
  /** Seed of the shuffle. Default 0. */
  seed?: number;
}

export function checkK(k: number, available: number, what: string): void {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be an integer >= 2, got ${k}`);
  if (k > available) throw new RangeError(`cannot make ${k} folds from ${available} ${what}`);
}

/** Every entry is in exactly one test fold; each fold trains on all the others. */
export function foldsFromAssignment(assignment: number[][], n: number): Fold[] {
  return assignment.map((test) => {
    const sorted = [...test].sort((a, b) => a - b);
    const inTest = new Set(sorted);
    const train: number[] = [];
    for (let i = 0; i < n; i++) if (!inTest.has(i)) train.push(i);
    return { train, test: sorted };
  });
}

/** Entry indices of each label, sorted by path so that the result never depends on manifest order. */
function indicesByLabel(manifest: Manifest): number[][] {
  const groups: number[][] = manifest.labelNames.map(() => []);
  manifest.entries.forEach((entry, i) => groups[entry.label].push(i));
  for (const group of groups) group.sort((a, b) => comparePaths(manifest.entries[a].path, manifest.entries[b].path));
  return groups;
}

/**
 * The paper's "random" protocol: stratified k-fold. Each class is shuffled and dealt round-robin,
 * carrying on from fold to fold, so every fold's class counts and sizes differ by at most one.
 */
export function randomKFold(manifest: Manifest, options: KFoldOptions = {}): Split {
  const k = options.k ?? 10;
  const seed = options.seed ?? 0;
  checkK(k, manifest.entries.length, "entries");
  const random = mulberry32(seed);
  const assignment: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const group of indicesByLabel(manifest)) {
    for (const i of shuffle(group, random)) {
      assignment[next].push(i);
      next = (next + 1) % k;
    }
  }
  return {
    protocol: "random",
    seed,
    manifestHash: hashManifest(manifest),
    folds: foldsFromAssignment(assignment, manifest.entries.length),
  };
}
