// Times loading ckplus48 and FER2013 Training (medians of a few runs) against a baseline measured in
// the same run: a bare readdir of the same class folders, the least any loader must do.
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CK_PLUS_EMOTIONS, loadFer2013, loadFolderDataset, randomKFold, subjectKFold } from "../dist/index.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const dataRoot = process.env.MICROEXP_DATA ?? join(repoRoot, "..", "shared", "data");
const RUNS = 7;

async function median(task) {
  await task(); // warm-up: file system caches, JIT
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)];
}

async function bareReaddir(root) {
  let count = 0;
  for (const dir of await readdir(root, { withFileTypes: true })) {
    if (dir.isDirectory()) count += (await readdir(join(root, dir.name), { withFileTypes: true })).length;
  }
  return count;
}

const rows = [];
const ckplus48 = join(dataRoot, "ckplus48");
if (existsSync(ckplus48)) {
  const manifest = await loadFolderDataset(ckplus48, { labelNames: CK_PLUS_EMOTIONS });
  rows.push(["load ckplus48 (loadFolderDataset)", manifest.entries.length, await median(() => loadFolderDataset(ckplus48)), await median(() => bareReaddir(ckplus48))]);
  rows.push(["ckplus48: 10 subject-independent folds", manifest.entries.length, await median(() => subjectKFold(manifest, { k: 10, seed: 1 })), null]);
} else {
  console.log(`SKIPPED ckplus48: ${ckplus48} not found (set MICROEXP_DATA)`);
}
const fer = join(dataRoot, "fer2013");
if (existsSync(join(fer, "Training"))) {
  const manifest = await loadFer2013(fer, { parts: ["Training"] });
  rows.push(["load FER2013 Training (loadFer2013)", manifest.entries.length, await median(() => loadFer2013(fer, { parts: ["Training"] })), await median(() => bareReaddir(join(fer, "Training")))]);
  rows.push(["FER2013 Training: 10 random stratified folds", manifest.entries.length, await median(() => randomKFold(manifest, { k: 10, seed: 1 })), null]);
} else {
  console.log(`SKIPPED FER2013: ${join(fer, "Training")} not found (set MICROEXP_DATA)`);
}

if (rows.length > 0) {
  console.log(`Median of ${RUNS} runs (after one warm-up), Node ${process.version}. Baseline: bare readdir of the same folders.\n`);
  console.log("| task | images | median ms | baseline ms |");
  console.log("|---|---:|---:|---:|");
  for (const [task, images, ms, base] of rows) {
    console.log(`| ${task} | ${images} | ${ms.toFixed(1)} | ${base === null ? "-" : base.toFixed(1)} |`);
  }
}
