// The command line on the research data, read by path (never copied): skipped LOUDLY when the
// folder is absent. Tiny configurations only.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { upstreamModelPath } from "@microexp/upstream-weights/node";
import type { CvReport, EvalReport } from "../src/index.js";
import { cli, readJson, tempDir } from "./helpers.js";
import { DATA_ROOT } from "../../../test-support/research-paths.js";

const CKPLUS48 = join(DATA_ROOT, "ckplus48");
const present = existsSync(CKPLUS48);
if (!present) console.warn(`[train] SKIPPING tests on ${CKPLUS48}: folder not found (set MICROEXP_DATA)`);

const temp = tempDir("real");
afterAll(() => temp.remove());

describe.skipIf(!present)("ckplus48 (research data)", () => {
  it("cv runs on 14 real faces in 7 classes", () => {
    const run = cli(temp.dir, ["cv", "--dataset", "folder", "--data", CKPLUS48, "--labels", "ck7", "--limit", "14", "--epochs", "1",
      "--folds", "2", "--backend", "wasm", "--workers", "0", "--run-dir", "runs/ck"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = readJson<CvReport>(join(temp.dir, "runs/ck/report.json"));
    expect(report.data.labels).toEqual(["anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise"]);
    expect(Object.values(report.data.classCounts)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect(report.data.availableImages).toBe(981);
    expect(report.results.confusion).toHaveLength(7);
  });

  it("eval of the authors' MicroExpNet (shipped by @microexp/upstream-weights) maps ck7 onto its 8 labels", () => {
    const run = cli(temp.dir, ["eval", "--dataset", "folder", "--data", CKPLUS48, "--labels", "ck7", "--limit", "70", "--weights", upstreamModelPath("microexpnet-ckplus-upstream"), "--report-dir", "runs/upstream"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = readJson<EvalReport>(join(temp.dir, "runs/upstream/report.json"));
    expect(report.weights.labels).toHaveLength(8);
    expect(report.metrics.recall[0]).toBeNull(); // neutral: not in ckplus48
    // The authors trained on CK+ (these faces included): far above the 1-in-7 of chance.
    expect(report.metrics.cropAccuracy).toBeGreaterThan(0.7);
  });
});
