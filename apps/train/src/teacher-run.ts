// A finished cross-validation run as the teacher of another: fold f of the new run distils
// from the network that fold f of the teacher's run trained, so a teacher trained once (with
// its own recipe, its own report) teaches many students, and never sees their test faces.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TrainConfig } from "@microexp/distill";
import { UsageError } from "./errors.js";

/** What both runs must share for a teacher's fold to have trained on exactly the student's training faces. */
export interface SplitIdentity {
  dataset: string;
  labels: string[];
  detectFaces: boolean;
  limit: number | null;
  contentHash: string;
  protocol: string;
  folds: number;
  splitSeed: number | null;
}

export interface TeacherRun {
  dir: string;
  architecture: string;
  /** Per fold: the teacher's training configuration and its final checkpoint. */
  folds: Array<{ config: TrainConfig; checkpoint: string }>;
}

type RunConfig = SplitIdentity & { student: TrainConfig; teacher: unknown };

function readRunConfig(path: string): { dir: string; config: RunConfig } {
  const dir = resolve(path);
  const file = join(dir, "run.json");
  if (!existsSync(file)) throw new UsageError(`--teacher-from ${path}: no run.json there (not a cv run folder)`);
  try {
    return { dir, config: (JSON.parse(readFileSync(file, "utf8")) as { config: RunConfig }).config };
  } catch (error) {
    throw new UsageError(`${file}: not a readable run configuration (${(error as Error).message})`);
  }
}

/** The network a run trained (its student), by the name training knows it by. */
export function teacherArchitectureOf(path: string): string {
  return readRunConfig(path).config.student.architecture;
}

export function readTeacherRun(path: string, split: SplitIdentity): TeacherRun {
  const { dir, config } = readRunConfig(path);
  for (const key of Object.keys(split) as Array<keyof SplitIdentity>) {
    if (JSON.stringify(config[key] ?? null) !== JSON.stringify(split[key])) {
      throw new UsageError(`--teacher-from ${path}: its ${key} is ${JSON.stringify(config[key] ?? null)}, this run's is ${JSON.stringify(split[key])}; ` +
        "a teacher must have trained on the same faces, split the same way");
    }
  }
  if (config.teacher) throw new UsageError(`--teacher-from ${path}: that run distilled from a teacher itself; use a run trained from the labels`);
  const folds = Array.from({ length: split.folds }, (_, f) => {
    const foldDir = join(dir, `fold-${f}`);
    if (!existsSync(join(foldDir, "result.json"))) throw new UsageError(`--teacher-from ${path}: fold ${f} has not finished (no ${join(foldDir, "result.json")})`);
    // Fold f trained with the run's seed + f (as every cv run does).
    return { config: { ...config.student, seed: config.student.seed + f }, checkpoint: join(foldDir, "student.ckpt") };
  });
  return { dir, architecture: config.student.architecture, folds };
}
