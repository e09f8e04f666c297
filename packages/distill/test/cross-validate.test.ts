// Cross-validation through the BUILT package (the fold worker is dist/fold-worker.js):
// in this thread and in 2 workers, with the same results; finished folds are never redone;
// an interrupted run keeps its finished folds and resumes.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FoldJob, FoldResult, TrainConfig } from "../dist/index.js";
import { crossValidate, FoldThread } from "../dist/index.js";
import { tempDir, tinyCropSet } from "./helpers.js";

const temp = tempDir("cv");
afterAll(() => temp.remove());

const data = tinyCropSet(12, 2, 11);
const student: TrainConfig = { architecture: "microexpnet", epochs: 2, seed: 1, batchSize: 32, learningRate: 1e-3, dropout: 0 };
const FOLDS = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]];

function jobs(runDir: string, teacher = false): FoldJob[] {
  return FOLDS.map((test, fold) => ({
    fold, runDir, test, train: Array.from(data.labels, (_, i) => i).filter((i) => !test.includes(i)),
    student: teacher ? { ...student, distillation: { temperature: 4, lambda: 0.5 } } : student,
    ...(teacher ? { teacher: { config: { architecture: "p1-XXS", epochs: 1, seed: 2, batchSize: 32, learningRate: 1e-3, dropout: 0 }, cacheDir: join(temp.dir, "cache") } } : {}),
    dataHash: "tiny", threads: 1,
  }));
}

function accuracies(results: FoldResult[]): number[][] {
  return results.map((r) => [r.metrics.cropAccuracy, r.metrics.voteAccuracy, r.metrics.inferenceCropAccuracy]);
}

describe("crossValidate", () => {
  let inThread: Awaited<ReturnType<typeof crossValidate>>;

  it("runs the folds in this thread (workers 0) and summarises them", async () => {
    const events: number[] = [];
    inThread = await crossValidate(data, jobs(join(temp.dir, "serial")), { workers: 0, backend: "wasm", onEvent: (fold) => events.push(fold) });
    expect(inThread.folds.map((f) => f.fold)).toEqual([0, 1, 2]);
    expect(new Set(events)).toEqual(new Set([0, 1, 2]));
    expect(inThread.backend.name).toBe("wasm");
    expect(inThread.folds.every((f) => f.backend === "wasm" && f.history.length === 2 && f.metrics.images === 4)).toBe(true);
    const mean = inThread.folds.reduce((s, f) => s + f.metrics.cropAccuracy, 0) / 3;
    expect(inThread.cropAccuracy.mean).toBeCloseTo(mean, 12);
    // Confusion summed over folds: 12 test images x 8 crops.
    expect(inThread.confusion.flat().reduce((a, b) => a + b, 0)).toBe(96);
    for (const f of [0, 1, 2]) expect(existsSync(join(temp.dir, "serial", `fold-${f}`, "student.mxw"))).toBe(true);
  });

  it("gives the same results in 2 worker threads", async () => {
    const folds: number[] = [];
    const inWorkers = await crossValidate(data, jobs(join(temp.dir, "workers")), { workers: 2, backend: "wasm", onFoldDone: (r, resumed) => { if (!resumed) folds.push(r.fold); } });
    expect(folds.sort()).toEqual([0, 1, 2]);
    expect(inWorkers.backend.name).toBe("wasm");
    expect(inWorkers.backend.customKernels).toBe(true);
    expect(accuracies(inWorkers.folds)).toEqual(accuracies(inThread.folds));
    expect(inWorkers.folds.map((f) => f.history)).toEqual(inThread.folds.map((f) => f.history));
  });

  it("never redoes a finished fold", async () => {
    const runDir = join(temp.dir, "workers");
    const stamp = statSync(join(runDir, "fold-1", "result.json")).mtimeMs;
    const resumed: boolean[] = [];
    let events = 0;
    const again = await crossValidate(data, jobs(runDir), { workers: 2, backend: "wasm", onEvent: () => events++, onFoldDone: (_, r) => resumed.push(r) });
    expect(resumed).toEqual([true, true, true]);
    expect(events).toBe(0);
    expect(statSync(join(runDir, "fold-1", "result.json")).mtimeMs).toBe(stamp);
    expect(accuracies(again.folds)).toEqual(accuracies(inThread.folds));
  });

  it("stops on abort, keeps finished folds, and resumes the rest", async () => {
    const runDir = join(temp.dir, "interrupted");
    const controller = new AbortController();
    const first = crossValidate(data, jobs(runDir), {
      workers: 0, backend: "wasm", signal: controller.signal,
      onFoldDone: (result) => { if (result.fold === 0) controller.abort(new Error("stop")); },
    });
    await expect(first).rejects.toThrow("stop");
    expect(existsSync(join(runDir, "fold-0", "result.json"))).toBe(true);
    expect(existsSync(join(runDir, "fold-1", "result.json"))).toBe(false);

    const resumed: number[] = [];
    const second = await crossValidate(data, jobs(runDir), { workers: 0, backend: "wasm", onFoldDone: (r, wasResumed) => { if (wasResumed) resumed.push(r.fold); } });
    expect(resumed).toEqual([0]);
    expect(accuracies(second.folds)).toEqual(accuracies(inThread.folds));
  });

  it("distils from a teacher in the workers, which never sees its student's test fold", async () => {
    const runDir = join(temp.dir, "distilled");
    const teacherEvents = new Set<number>();
    const result = await crossValidate(data, jobs(runDir, true), {
      workers: 2, backend: "wasm", onEvent: (fold, event) => { if (event.stage === "teacher") teacherEvents.add(fold); },
    });
    expect(teacherEvents).toEqual(new Set([0, 1, 2]));
    expect(result.teacherCropAccuracy).toBeDefined();
    expect(result.folds.every((f) => f.teacherMetrics?.images === 4)).toBe(true);
    // One cache entry per fold, holding logits of the fold's 8 training images only (x 8 crops x 2 classes x 4 bytes).
    const cached = readdirSync(join(temp.dir, "cache")).filter((f) => f.endsWith(".f32"));
    expect(cached).toHaveLength(3);
    for (const file of cached) expect(statSync(join(temp.dir, "cache", file)).size).toBe(8 * 8 * 2 * 4);

    // Another run with the same teacher and folds reads the cached logits: no teacher training.
    teacherEvents.clear();
    await crossValidate(data, jobs(join(temp.dir, "distilled-again"), true), {
      workers: 2, backend: "wasm", onEvent: (fold, event) => { if (event.stage === "teacher") teacherEvents.add(fold); },
    });
    expect(teacherEvents.size).toBe(0);
  });

  it("stops its worker threads on abort", async () => {
    const controller = new AbortController();
    const run = crossValidate(data, jobs(join(temp.dir, "aborted-workers")), {
      workers: 2, backend: "wasm", signal: controller.signal, onEvent: () => controller.abort(new Error("halt")),
    });
    await expect(run).rejects.toThrow("halt");
  });

  it("reports a failing fold with its number", async () => {
    const bad = jobs(join(temp.dir, "bad")).map((job) => ({ ...job, student: { ...job.student, architecture: "no-such-net" } }));
    await expect(crossValidate(data, bad.slice(0, 1), { workers: 1, backend: "wasm" })).rejects.toThrow(/fold 0 failed: .*no-such-net/s);
  });
});

describe("FoldThread", () => {
  it("runs folds one after another, and a fold terminated mid-way resumes to the uninterrupted result", async () => {
    const longer = (runDir: string) => jobs(runDir).map((job) => ({ ...job, student: { ...job.student, epochs: 4 } }));
    const reference = await crossValidate(data, longer(join(temp.dir, "thread-reference")).slice(0, 2), { workers: 0, backend: "wasm" });
    const runDir = join(temp.dir, "thread");
    const thread = new FoldThread(data, "wasm");
    expect((await thread.ready).name).toBe("wasm");
    const first = await thread.run(longer(runDir)[0]);
    // Terminated once fold 1 is in its second epoch (its epoch 1 checkpoint is written).
    let killed: Promise<void> | undefined;
    const second = thread.run(longer(runDir)[1], (event) => { if (event.progress.epoch >= 2) killed ??= thread.terminate(); });
    await expect(second).rejects.toThrow(/terminated while running fold 1/);
    await killed;
    expect(existsSync(join(runDir, "fold-1", "result.json"))).toBe(false);
    await expect(thread.run(longer(runDir)[1])).rejects.toThrow(/terminated/);

    const another = new FoldThread(data, "wasm");
    const epochs: number[] = [];
    const resumed = await another.run(longer(runDir)[1], (event) => epochs.push(event.progress.epoch));
    await another.terminate();
    expect(Math.min(...epochs)).toBeGreaterThanOrEqual(2);
    expect(accuracies([first, resumed])).toEqual(accuracies(reference.folds));
    expect(resumed.history.at(-1)).toEqual(reference.folds[1].history.at(-1));
  });
});
