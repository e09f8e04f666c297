// Training throughput of @microexp/distill's backends: images/s (median of timed steps
// after warm-up) for the MicroExpNet-like student and a VGG-like teacher, on wasm with
// this package's kernels and on the stock cpu backend (the baseline, measured in the same
// run). One step = forward + backward + Adam on one batch, built with tfjs-layers.
//   node bench/index.mjs                                 (after `npm run build`)
//   MICROEXP_BENCH_CPU_TEACHER=1 node bench/index.mjs   adds the teacher on cpu (~1 min per image)
import { availableParallelism, loadavg } from "node:os";
import * as tfl from "@tensorflow/tfjs-layers";
import { buildDsnet } from "@microexp/models";
import { forwardMacs } from "./lib/forward-macs.mjs";
import { trainingStep } from "./lib/training-step.mjs";

const loadBefore = loadavg()[0];
const distill = await import("../dist/index.js").catch((error) => {
  console.error(`bench: cannot load packages/distill/dist/index.js (${error.message.split("\n")[0]}); run the build first`);
  process.exit(1);
});
const internal = await import("../dist/internal.js");
if (typeof distill.selectBackend !== "function") {
  console.error("bench: dist/index.js does not export selectBackend; src/index.ts must re-export ./backend");
  process.exit(1);
}

/** conv 8x8/16 s2 -> pool -> conv 4x4/32 s2 -> pool -> dense 48 -> dropout -> dense 8 (65,000 parameters). */
function microExpNetLike() {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [84, 84, 1], filters: 16, kernelSize: 8, strides: 2, padding: "same", activation: "relu" }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "same" }));
  m.add(tfl.layers.conv2d({ filters: 32, kernelSize: 4, strides: 2, padding: "same", activation: "relu" }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "same" }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 48, activation: "relu" }));
  m.add(tfl.layers.dropout({ rate: 0.5 }));
  m.add(tfl.layers.dense({ units: 8 }));
  return m;
}

/** 3x3 convs 32 -> pool -> 64 -> pool -> 128 -> 128 -> pool -> dense 256 -> dropout -> dense 8. */
function vggLikeTeacher() {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [84, 84, 1], filters: 32, kernelSize: 3, padding: "same", activation: "relu" }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "same" }));
  m.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu" }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "same" }));
  m.add(tfl.layers.conv2d({ filters: 128, kernelSize: 3, padding: "same", activation: "relu" }));
  m.add(tfl.layers.conv2d({ filters: 128, kernelSize: 3, padding: "same", activation: "relu" }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: "same" }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 256, activation: "relu" }));
  m.add(tfl.layers.dropout({ rate: 0.5 }));
  m.add(tfl.layers.dense({ units: 8 }));
  return m;
}

const NETS = { "MicroExpNet-like": microExpNetLike, "VGG-like teacher": vggLikeTeacher, dsnet: () => buildDsnet({ numClasses: 8, seed: 1 }) };

const PLAN = [
  { net: "MicroExpNet-like", backend: "wasm", batch: 64, warmup: 3, steps: 9 },
  { net: "VGG-like teacher", backend: "wasm", batch: 64, warmup: 1, steps: 3 },
  { net: "dsnet", backend: "wasm", batch: 64, warmup: 2, steps: 7 },
  { net: "MicroExpNet-like", backend: "cpu", batch: 8, warmup: 1, steps: 2 },
  { net: "dsnet", backend: "cpu", batch: 8, warmup: 1, steps: 2 },
  ...(process.env.MICROEXP_BENCH_CPU_TEACHER ? [{ net: "VGG-like teacher", backend: "cpu", batch: 1, warmup: 0, steps: 1 }] : []),
];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function measure({ net, backend, batch, warmup, steps }) {
  const info = await distill.selectBackend(backend);
  const model = NETS[net]();
  const { step, dispose } = trainingStep(model, batch, `${net} on ${backend}`);
  for (let i = 0; i < warmup; i++) step();
  const times = [];
  const cpuTimes = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    step();
    const cpu = process.cpuUsage(cpuStart);
    times.push(performance.now() - start);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
  }
  const macs = forwardMacs(model);
  dispose();
  model.dispose();
  const ms = median(times);
  const cpuMs = median(cpuTimes);
  return { net, backend, info, batch, steps, ms, imagesPerSecond: (batch * 1000) / ms, cpuImagesPerSecond: (batch * 1000) / cpuMs, macs };
}

const results = [];
for (const entry of PLAN) results.push(await measure(entry));

const wasmInfo = results.find((r) => r.backend === "wasm").info;
console.log(`Node ${process.versions.node}, tfjs-core ${wasmInfo.tfjsVersion}, wasm threads ${wasmInfo.threads}, ` +
  `load average (1 min) before ${loadBefore.toFixed(1)}, after ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
console.log(`wasm kernels from @microexp/distill: ${wasmInfo.customKernelNames.join(", ")}\n`);
// Both backends compute on one thread, so images per CPU-second is what an idle machine
// would give; wall-clock images/s drops when other processes share the cores.
// Train GMAC/s: 3x the forward multiply-adds (forward, input gradient, filter gradient) per CPU-second.
console.log("| net | fwd MMAC/img | backend | batch | timed steps | ms/step (median) | images/s | images/CPU-s | train GMAC/CPU-s | vs cpu (CPU-s) |");
console.log("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|");
for (const r of results) {
  const cpu = results.find((c) => c.net === r.net && c.backend === "cpu");
  const kernels = r.backend === "wasm" ? "wasm + distill kernels" : "cpu (stock, baseline)";
  const speedup = cpu ? `${(r.cpuImagesPerSecond / cpu.cpuImagesPerSecond).toFixed(0)}x` : "not run";
  console.log(`| ${r.net} | ${(r.macs / 1e6).toFixed(1)} | ${kernels} | ${r.batch} | ${r.steps} | ` +
    `${r.ms.toFixed(1)} | ${r.imagesPerSecond.toFixed(1)} | ${r.cpuImagesPerSecond.toFixed(1)} | ${((3 * r.macs * r.cpuImagesPerSecond) / 1e9).toFixed(1)} | ${speedup} |`);
}
if (!process.env.MICROEXP_BENCH_CPU_TEACHER) {
  console.log("\nThe teacher's cpu baseline is skipped by default (about a minute per image); set MICROEXP_BENCH_CPU_TEACHER=1 to run it.");
}

// The trainer itself (trainStudent: batches, augmentation, Adam, data-parallel threads) on
// one epoch of generated faces, one random augmented crop per face: one thread, then all
// cores. The threads share one batch of 64; the speed-up is the ratio in the same run.
async function trainerRate(architecture, faces, threads) {
  const set = distill.allocateCropSet(faces, ["a", "b", "c", "d", "e", "f", "g"], Array.from({ length: faces }, (_, i) => `generated/${i}`));
  for (let i = 0; i < set.pixels.length; i++) set.pixels[i] = (Math.imul(i, 2654435761) >>> 24) & 255;
  for (let i = 0; i < faces; i++) set.labels[i] = i % 7;
  const config = { architecture, epochs: 1, seed: 1, batchSize: 64, learningRate: 1e-3, dropout: 0, sampling: "one-per-face", augment: {} };
  // A short first run warms up the JIT and the kernels' compilation in every thread.
  (await distill.trainStudent(internal.subsetCropSet(set, [...Array(128).keys()]), config, { threads, backend: "wasm" })).model.dispose();
  const result = await distill.trainStudent(set, config, { threads, backend: "wasm" });
  result.model.dispose();
  return result.samplesPerSecond;
}

const TRAINER_PLAN = [
  { architecture: "microexpnet", faces: 8192 },
  { architecture: "p12-M", faces: 4096 },
  { architecture: "dsnet", faces: 1024 },
  ...(process.env.MICROEXP_BENCH_TEACHER_THREADS ? [{ architecture: "vgg-small", faces: 256 }] : []),
];
const cores = availableParallelism();
console.log(`\n### The trainer, one epoch of generated faces (one augmented crop each), batch 64: 1 thread vs ${cores}\n`);
console.log(`| net | faces | 1 thread, samples/s | ${cores} threads, samples/s | speed-up |`);
console.log("|---|---:|---:|---:|---:|");
for (const { architecture, faces } of TRAINER_PLAN) {
  const one = await trainerRate(architecture, faces, 1);
  const all = await trainerRate(architecture, faces, cores);
  console.log(`| ${architecture} | ${faces} | ${one.toFixed(0)} | ${all.toFixed(0)} | ${(all / one).toFixed(2)}x |`);
}
if (!process.env.MICROEXP_BENCH_TEACHER_THREADS) console.log("\nThe VGG teacher's rows are skipped by default (minutes); set MICROEXP_BENCH_TEACHER_THREADS=1 to run them.");
