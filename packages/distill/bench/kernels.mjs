// @microexp/distill's SIMD training module (assembly/) on and off in the same run (off: the
// stock tfjs-wasm kernel or this package's TypeScript one): MicroExpNet training steps
// (@microexp/models' "microexpnet", batch 64, forward + backward + Adam, on and off
// alternating so both see the same machine load), then each kernel the module runs in such
// a step. CPU time medians: both run on one thread, so samples per CPU-second is what an
// idle core would give. Last, dsnet's depthwise gradients against the TS loop and tfjs-cpu.
//   node bench/kernels.mjs          (after `npm run build`; also run by `npm run bench`)
//   MICROEXP_BENCH_KERNEL_STEPS=0 node bench/kernels.mjs     (per-kernel tables only)
//   MICROEXP_BENCH_KERNEL_NETWORK=dsnet MICROEXP_BENCH_KERNEL_STEPS=3 node bench/kernels.mjs   (dsnet steps)
import { loadavg } from "node:os";
import * as tf from "@tensorflow/tfjs-core";
import { buildDsnet, buildFamilyModel } from "@microexp/models";
import { trainingStep } from "./lib/training-step.mjs";

const distill = await import("../dist/index.js");
await distill.selectBackend("wasm");

const BATCH = 64;
const NETWORK = process.env.MICROEXP_BENCH_KERNEL_NETWORK ?? "microexpnet";
const CALLS = Number(process.env.MICROEXP_BENCH_KERNEL_CALLS ?? 15);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median CPU ms of one kernel call (after one warm-up call). */
function time(run) {
  tf.dispose(run());
  const cpu = [];
  for (let i = 0; i < CALLS; i++) {
    const start = process.cpuUsage();
    const out = run();
    out.dataSync(); // the wasm backend computes synchronously; this only keeps the call honest
    const used = process.cpuUsage(start);
    cpu.push((used.user + used.system) / 1000);
    tf.dispose(out);
  }
  return median(cpu);
}

/** Alternating on/off training steps: median CPU ms and wall ms per step for each. */
function trainingSteps(warmup, steps) {
  const model = NETWORK === "dsnet" ? buildDsnet({ numClasses: 8 }) : buildFamilyModel("microexpnet");
  const { step, dispose } = trainingStep(model, BATCH, NETWORK);
  const runs = { on: { cpu: [], wall: [] }, off: { cpu: [], wall: [] } };
  for (let i = 0; i < warmup + steps; i++) {
    for (const mode of ["off", "on"]) {
      distill.setSimdTrainingKernels(mode === "on");
      const wallStart = performance.now();
      const start = process.cpuUsage();
      step();
      const used = process.cpuUsage(start);
      if (i < warmup) continue;
      runs[mode].cpu.push((used.user + used.system) / 1000);
      runs[mode].wall.push(performance.now() - wallStart);
    }
  }
  distill.setSimdTrainingKernels(true);
  dispose();
  model.dispose();
  return { on: { cpu: median(runs.on.cpu), wall: median(runs.on.wall) }, off: { cpu: median(runs.off.cpu), wall: median(runs.off.wall) } };
}

// MICROEXP_BENCH_KERNEL_STEPS=0 skips the training steps (only the per-kernel tables);
// MICROEXP_BENCH_KERNEL_NETWORK=dsnet times @microexp/models' dsnet instead of MicroExpNet.
const STEPS = Number(process.env.MICROEXP_BENCH_KERNEL_STEPS ?? 15);
if (STEPS > 0) {
  const loadBefore = loadavg()[0];
  const steps = trainingSteps(3, STEPS);
  console.log(`\n${NETWORK} training, one core, with and without the SIMD training kernels (batch ${BATCH}, ` +
    `${STEPS} steps each, alternating; load average before ${loadBefore.toFixed(1)}, after ${loadavg()[0].toFixed(1)}):\n`);
  console.log("| kernels | CPU ms/step (median) | samples/CPU-s | wall ms/step (median) | samples/s (wall) |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [label, r] of [["stock tfjs-wasm + distill TS kernels", steps.off], ["+ SIMD training kernels", steps.on]]) {
    console.log(`| ${label} | ${r.cpu.toFixed(1)} | ${(BATCH * 1000 / r.cpu).toFixed(0)} | ${r.wall.toFixed(1)} | ${(BATCH * 1000 / r.wall).toFixed(0)} |`);
  }
  console.log(`\nSpeed-up (samples per CPU-second): ${(steps.off.cpu / steps.on.cpu).toFixed(2)}x`);
}

const x = tf.randomUniform([BATCH, 84, 84, 1], 0, 255);
const w1 = tf.randomNormal([8, 8, 1, 16], 0, 0.05);
const b1 = tf.randomNormal([16], 0, 0.05);
const a1 = tf.randomNormal([BATCH, 42, 42, 16]);
const dy1 = tf.randomNormal([BATCH, 42, 42, 16]);
const pooled = tf.maxPool(a1, 2, 2, "same");
const dyPool = tf.randomNormal(pooled.shape);
const conv1Macs = BATCH * 42 * 42 * 16 * 64;

const CASES = [
  { name: "conv1 forward (Conv2D 84x84x1, 8x8x16 s2)", macs: conv1Macs,
    run: () => tf.engine().runKernel("Conv2D", { x, filter: w1 }, { strides: 2, pad: "same", dataFormat: "NHWC", dilations: 1 }) },
  { name: "conv1 forward + bias + ReLU (FusedConv2D)", macs: conv1Macs,
    run: () => tf.fused.conv2d({ x, filter: w1, strides: 2, pad: "same", bias: b1, activation: "relu" }) },
  { name: "conv1 weight gradient (Conv2DBackpropFilter)", macs: conv1Macs,
    run: () => tf.engine().runKernel("Conv2DBackpropFilter", { x, dy: dy1 }, { strides: 2, pad: "same", dataFormat: "NHWC", filterShape: [8, 8, 1, 16] }) },
  { name: "pool1 gradient (MaxPoolGrad 42x42x16, 2x2 s2)", macs: 0,
    run: () => tf.engine().runKernel("MaxPoolGrad", { dy: dyPool, input: a1, output: pooled }, { filterSize: 2, strides: 2, pad: "same" }) },
  { name: "conv1 bias gradient (Sum over 64x42x42 rows)", macs: 0,
    run: () => tf.sum(dy1, [0, 1, 2]) },
];

const rows = [];
for (const c of CASES) {
  distill.setSimdTrainingKernels(false);
  const off = time(c.run);
  distill.setSimdTrainingKernels(true);
  const on = time(c.run);
  rows.push({ ...c, off, on });
}
tf.dispose([x, w1, b1, a1, dy1, pooled, dyPool]);

console.log(`\nSIMD training kernels (assembly/), batch ${BATCH}, CPU ms per call, median of ${CALLS}:\n`);
console.log("| kernel | without (stock / TS) | with SIMD module | speed-up | GMAC/s without -> with |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) {
  const rate = r.macs ? `${(r.macs / r.off / 1e6).toFixed(1)} -> ${(r.macs / r.on / 1e6).toFixed(1)}` : "(memory-bound)";
  console.log(`| ${r.name} | ${r.off.toFixed(2)} | ${r.on.toFixed(2)} | ${(r.off / r.on).toFixed(2)}x | ${rate} |`);
}

// dsnet's six depthwise layers (@microexp/models' "dsnet": 3x3, stride 1, SAME, multiplier 1),
// both gradients: the SIMD module, this package's TypeScript loop (SIMD off) and the stock
// tfjs-cpu backend (float64 loops), each on the same tensors. The cpu reference is slow:
// MICROEXP_BENCH_CPU_CALLS (default 3) calls after its warm-up.
const DSNET_DEPTHWISE = [
  { name: "sep1", size: 42, channels: 16 },
  { name: "block1_a", size: 21, channels: 32 },
  { name: "block1_b", size: 21, channels: 64 },
  { name: "block2_a", size: 11, channels: 64 },
  { name: "block2_b", size: 11, channels: 128 },
  { name: "sep2", size: 6, channels: 128 },
];
const CPU_CALLS = Number(process.env.MICROEXP_BENCH_CPU_CALLS ?? 3);

/** Median CPU ms of `calls` calls on `backend` (after one warm-up call that also moves the inputs there). */
function timeOn(backend, calls, run) {
  tf.setBackend(backend);
  tf.dispose(run());
  const cpu = [];
  for (let i = 0; i < calls; i++) {
    const start = process.cpuUsage();
    const out = run();
    out.dataSync();
    const used = process.cpuUsage(start);
    cpu.push((used.user + used.system) / 1000);
    tf.dispose(out);
  }
  return median(cpu);
}

const depthwiseRows = [];
for (const layer of DSNET_DEPTHWISE) {
  tf.setBackend("wasm");
  const shape = [BATCH, layer.size, layer.size, layer.channels];
  const xs = tf.randomNormal(shape);
  const dys = tf.randomNormal(shape);
  const ws = tf.randomNormal([3, 3, layer.channels, 1]);
  const macs = BATCH * layer.size * layer.size * layer.channels * 9;
  const kernelsOf = {
    filter: () => tf.engine().runKernel("DepthwiseConv2dNativeBackpropFilter", { x: xs, dy: dys },
      { strides: 1, dilations: 1, pad: "same", filterShape: [3, 3, layer.channels, 1] }),
    input: () => tf.engine().runKernel("DepthwiseConv2dNativeBackpropInput", { dy: dys, filter: ws },
      { strides: 1, dilations: 1, pad: "same", inputShape: shape }),
  };
  for (const [kernel, run] of Object.entries(kernelsOf)) {
    distill.setSimdTrainingKernels(true);
    const simd = timeOn("wasm", CALLS, run);
    distill.setSimdTrainingKernels(false);
    const loop = timeOn("wasm", CALLS, run);
    distill.setSimdTrainingKernels(true);
    const cpu = CPU_CALLS > 0 ? timeOn("cpu", CPU_CALLS, run) : Number.NaN;
    depthwiseRows.push({ layer: `${layer.name} ${layer.size}x${layer.size}x${layer.channels}`, kernel, macs, simd, loop, cpu });
  }
  tf.setBackend("wasm");
  tf.dispose([xs, dys, ws]);
}

console.log(`\ndsnet's depthwise gradients (3x3 s1 SAME, batch ${BATCH}), CPU ms per call, median of ${CALLS} (tfjs-cpu: ${CPU_CALLS}):\n`);
console.log("| layer | gradient | tfjs-cpu | distill TS loop | SIMD module | SIMD GMAC/s | SIMD vs TS loop |");
console.log("|---|---|---:|---:|---:|---:|---:|");
for (const r of depthwiseRows) {
  console.log(`| ${r.layer} | ${r.kernel} | ${r.cpu.toFixed(1)} | ${r.loop.toFixed(1)} | ${r.simd.toFixed(2)} | ` +
    `${(r.macs / r.simd / 1e6).toFixed(2)} | ${(r.loop / r.simd).toFixed(1)}x |`);
}
for (const kernel of ["filter", "input"]) {
  const rows = depthwiseRows.filter((r) => r.kernel === kernel);
  const total = (key) => rows.reduce((sum, r) => sum + r[key], 0);
  console.log(`| all six (one step) | ${kernel} | ${total("cpu").toFixed(1)} | ${total("loop").toFixed(1)} | ${total("simd").toFixed(2)} | ` +
    `${(total("macs") / total("simd") / 1e6).toFixed(2)} | ${(total("loop") / total("simd")).toFixed(1)}x |`);
}

// dsnet's pointwise (1x1, stride 1) filter gradients over more than 16 input channels: one
// matrix product (x's rows transposed times dy's rows) through XNNPACK.
const DSNET_POINTWISE = [
  ["block1_a", 21, 32, 64], ["block1_b", 21, 64, 64], ["block2_a", 11, 64, 128], ["block2_b", 11, 128, 128], ["sep2", 6, 128, 256],
];
const pointwiseRows = [];
for (const [name, size, inChannels, outChannels] of DSNET_POINTWISE) {
  tf.setBackend("wasm");
  const xs = tf.randomNormal([BATCH, size, size, inChannels]);
  const dys = tf.randomNormal([BATCH, size, size, outChannels]);
  const ms = timeOn("wasm", CALLS, () => tf.engine().runKernel("Conv2DBackpropFilter", { x: xs, dy: dys },
    { strides: 1, pad: "same", dataFormat: "NHWC", filterShape: [1, 1, inChannels, outChannels] }));
  pointwiseRows.push({ layer: `${name}_pw ${size}x${size} ${inChannels}->${outChannels}`, ms, macs: BATCH * size * size * inChannels * outChannels });
  tf.dispose([xs, dys]);
}
console.log(`\ndsnet's pointwise filter gradients (Conv2DBackpropFilter 1x1, batch ${BATCH}), CPU ms per call, median of ${CALLS}:\n`);
console.log("| layer | ms | GMAC/s |");
console.log("|---|---:|---:|");
for (const r of pointwiseRows) console.log(`| ${r.layer} | ${r.ms.toFixed(1)} | ${(r.macs / r.ms / 1e6).toFixed(2)} |`);
const pointwiseMs = pointwiseRows.reduce((sum, r) => sum + r.ms, 0);
console.log(`| all five | ${pointwiseMs.toFixed(1)} | ${(pointwiseRows.reduce((sum, r) => sum + r.macs, 0) / pointwiseMs / 1e6).toFixed(2)} |`);

// Batch-norm moments (tf.moments over N, H, W: two Means per layer, as in tfjs-layers'
// BatchNormalization and inception-v3's batch norm) at the shapes of dsnet's nine batch norms
// (batch 64; dsnet's own BatchNorm sums rows instead): the SIMD module against the stock
// tfjs-wasm kernel (which transposes first).
const DSNET_BATCH_NORMS = [
  ["stem", 42, 16], ["sep1", 42, 32], ["block1_a", 21, 64], ["block1_b", 21, 64], ["block1_skip", 11, 64],
  ["block2_a", 11, 128], ["block2_b", 11, 128], ["block2_skip", 6, 128], ["sep2", 6, 256],
];
const meanRows = [];
for (const [name, size, channels] of DSNET_BATCH_NORMS) {
  tf.setBackend("wasm");
  const activation = tf.randomNormal([BATCH, size, size, channels], 0.5);
  const run = () => tf.mean(activation, [0, 1, 2], true);
  distill.setSimdTrainingKernels(true);
  const simd = timeOn("wasm", CALLS, run);
  distill.setSimdTrainingKernels(false);
  const stock = timeOn("wasm", CALLS, run);
  distill.setSimdTrainingKernels(true);
  meanRows.push({ layer: `${name} ${size}x${size}x${channels}`, simd, stock });
  activation.dispose();
}
console.log(`\nBatch-norm means at dsnet's shapes (Mean over N, H, W, batch ${BATCH}), CPU ms per call, median of ${CALLS}:\n`);
console.log("| layer | stock tfjs-wasm | SIMD module | speed-up |");
console.log("|---|---:|---:|---:|");
for (const r of meanRows) console.log(`| ${r.layer} | ${r.stock.toFixed(2)} | ${r.simd.toFixed(2)} | ${(r.stock / r.simd).toFixed(1)}x |`);
const meanTotal = (key) => 2 * meanRows.reduce((sum, r) => sum + r[key], 0);
console.log(`| all nine, twice | ${meanTotal("stock").toFixed(1)} | ${meanTotal("simd").toFixed(1)} | ` +
  `${(meanTotal("stock") / meanTotal("simd")).toFixed(1)}x |`);
