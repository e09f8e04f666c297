import { DatasetError } from "./errors.js";
import { checkK, foldsFromAssignment, type KFoldOptions } from "./kfold.js";
import { comparePaths, type Manifest } from "./manifest.js";
import { hashManifest } from "./manifest-hash.js";
import { mulberry32, shuffle } from "./prng.js";
import type { Split } from "./split.js";

interface SubjectGroup {
  subject: string;
  indices: number[];
  classCounts: number[];
}

/** Fold contents and the squared distance of a fold from an even share of every class and of the size. */
class Folds {
  readonly classCounts: number[][];
  readonly sizes: number[];

  constructor(
    k: number,
    private readonly classTarget: number[],
    private readonly sizeTarget: number,
  ) {
    this.classCounts = Array.from({ length: k }, () => new Array<number>(classTarget.length).fill(0));
    this.sizes = new Array<number>(k).fill(0);
  }

  /** Error of fold f if `add` joined it and `remove` left it. */
  error(f: number, add?: SubjectGroup, remove?: SubjectGroup): number {
    let size = this.sizes[f];
    let sum = 0;
    this.classTarget.forEach((target, c) => {
      const n = this.classCounts[f][c] + (add ? add.classCounts[c] : 0) - (remove ? remove.classCounts[c] : 0);
      sum += (n - target) ** 2;
    });
    size += (add ? add.indices.length : 0) - (remove ? remove.indices.length : 0);
    return sum + (size - this.sizeTarget) ** 2;
  }

  move(group: SubjectGroup, from: number, to: number): void {
    if (from >= 0) {
      this.sizes[from] -= group.indices.length;
      group.classCounts.forEach((n, c) => (this.classCounts[from][c] -= n));
    }
    this.sizes[to] += group.indices.length;
    group.classCounts.forEach((n, c) => (this.classCounts[to][c] += n));
  }
}

/**
 * Subject-independent k-fold: no subject is in two folds. Subjects are shuffled (seeded), then taken
 * largest first, each to the fold that most needs its classes (the one whose squared distance from an
 * even share of every class and of the size grows least); then pairs of subjects in different folds are
 * swapped while that lowers the total distance. Fold sizes never differ by more than the largest
 * subject's number of entries.
 */
export function subjectKFold(manifest: Manifest, options: KFoldOptions = {}): Split {
  const k = options.k ?? 10;
  const seed = options.seed ?? 0;
  const classes = manifest.labelNames.length;
  const bySubject = new Map<string, SubjectGroup>();
  manifest.entries.forEach((entry, i) => {
    if (entry.subject === null) throw new DatasetError(entry.path, "has no subject, so it cannot go in a subject-independent split");
    let group = bySubject.get(entry.subject);
    if (!group) {
      group = { subject: entry.subject, indices: [], classCounts: new Array<number>(classes).fill(0) };
      bySubject.set(entry.subject, group);
    }
    group.indices.push(i);
    group.classCounts[entry.label] += 1;
  });
  checkK(k, bySubject.size, "subjects");

  const subjects = [...bySubject.values()].sort((a, b) => comparePaths(a.subject, b.subject));
  shuffle(subjects, mulberry32(seed));
  subjects.sort((a, b) => b.indices.length - a.indices.length); // stable: the shuffle breaks ties

  const classTarget = new Array<number>(classes).fill(0);
  for (const entry of manifest.entries) classTarget[entry.label] += 1 / k;
  const folds = new Folds(k, classTarget, manifest.entries.length / k);
  const largest = subjects[0].indices.length;
  const foldOf = new Array<number>(subjects.length).fill(-1);

  subjects.forEach((group, s) => {
    // Only folds that keep max - min fold size <= the largest subject are candidates (the smallest
    // fold always is one), so sizes stay as even as plain largest-first-to-smallest-fold keeps them.
    const sizeLimit = Math.min(...folds.sizes) + largest - group.indices.length;
    let best = -1;
    let bestGrowth = Infinity;
    for (let f = 0; f < k; f++) {
      if (folds.sizes[f] > sizeLimit) continue;
      const growth = folds.error(f, group) - folds.error(f);
      if (growth < bestGrowth - 1e-9 || (Math.abs(growth - bestGrowth) <= 1e-9 && folds.sizes[f] < folds.sizes[best])) {
        best = f;
        bestGrowth = growth;
      }
    }
    folds.move(group, -1, best);
    foldOf[s] = best;
  });

  improveBySwaps(subjects, foldOf, folds, largest);

  const assignment: number[][] = Array.from({ length: k }, () => []);
  subjects.forEach((group, s) => assignment[foldOf[s]].push(...group.indices));
  return {
    protocol: "subject",
    seed,
    manifestHash: hashManifest(manifest),
    folds: foldsFromAssignment(assignment, manifest.entries.length),
  };
}

/** Swaps two subjects of different folds whenever that lowers the total error and keeps sizes within `largest`. */
function improveBySwaps(subjects: SubjectGroup[], foldOf: number[], folds: Folds, largest: number): void {
  // Each swap strictly lowers the error, so this ends; the pass limit only bounds the time.
  for (let pass = 0; pass < 50; pass++) {
    let swapped = false;
    for (let a = 0; a < subjects.length; a++) {
      for (let b = a + 1; b < subjects.length; b++) {
        const f = foldOf[a];
        const g = foldOf[b];
        if (f === g) continue;
        const A = subjects[a];
        const B = subjects[b];
        const gain = folds.error(f) + folds.error(g) - folds.error(f, B, A) - folds.error(g, A, B);
        if (gain <= 1e-9) continue;
        const shift = B.indices.length - A.indices.length;
        const sizes = folds.sizes.map((size, h) => (h === f ? size + shift : h === g ? size - shift : size));
        if (Math.max(...sizes) - Math.min(...sizes) > largest) continue;
        folds.move(A, f, g);
        folds.move(B, g, f);
        foldOf[a] = g;
        foldOf[b] = f;
        swapped = true;
      }
    }
    if (!swapped) return;
  }
}
