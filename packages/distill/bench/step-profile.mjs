// Where a training step goes: each network's step (batch 64, forward + backward + tfjs's
// Adam, wasm with this package's kernels) profiled with tf.profile, its kernels ranked by
// their share of the step's kernel time, and the step's multiply-adds per second (3x the
// forward pass's: forward, input gradient, filter gradient). Wall time: on a busy machine
// every share stretches alike, but a step's total does not compare across runs.
//   node bench/step-profile.mjs                                   (after `npm run build`)
//   MICROEXP_BENCH_PROFILE_NETS=dsnet,vgg-small node bench/step-profile.mjs
import * as tf from "@tensorflow/tfjs-core";
import { buildDsnet, buildFamilyModel, buildVggSmall } from "@microexp/models";
import { forwardMacs } from "./lib/forward-macs.mjs";
import { trainingStep } from "./lib/training-step.mjs";

const distill = await import("../dist/index.js");
const { name: backend } = await distill.selectBackend("wasm");

const BATCH = 64;
const NETS = {
  microexpnet: { build: () => buildFamilyModel("microexpnet"), warmup: 3, steps: 5 },
  "p12-M": { build: () => buildFamilyModel("p12-M"), warmup: 3, steps: 5 },
  dsnet: { build: () => buildDsnet({ numClasses: 8, seed: 1 }), warmup: 2, steps: 3 },
  "vgg-small": { build: () => buildVggSmall({ numClasses: 8, seed: 1 }), warmup: 1, steps: 1 },
};
const chosen = (process.env.MICROEXP_BENCH_PROFILE_NETS ?? Object.keys(NETS).join(",")).split(",");
const TOP = 8;

/** Kernel name -> ms per step; op wrappers and custom-gradient scopes are left out (their kernels are counted). */
async function profile(name, { build, warmup, steps }) {
  const model = build();
  const { step, dispose } = trainingStep(model, BATCH, name);
  for (let i = 0; i < warmup; i++) step();
  const byKernel = new Map();
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const info = await tf.profile(step);
    for (const k of info.kernels) {
      if (tf.getKernel(k.name, backend) === undefined || typeof k.kernelTimeMs !== "number") continue;
      byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + k.kernelTimeMs / steps);
    }
  }
  const stepMs = (performance.now() - start) / steps;
  const macs = forwardMacs(model);
  dispose();
  model.dispose();
  return { byKernel, stepMs, macs };
}

console.log(`\n### Where a training step goes (batch ${BATCH}, wasm + distill kernels, tf.profile wall times)\n`);
console.log("| net | fwd MMAC/img | step ms (profiled) | train GMAC/s | kernel | ms/step | share of kernel time |");
console.log("|---|---:|---:|---:|---|---:|---:|");
for (const net of chosen) {
  if (!NETS[net]) throw new Error(`bench: no network "${net}" (one of ${Object.keys(NETS).join(", ")})`);
  const { byKernel, stepMs, macs } = await profile(net, NETS[net]);
  const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
  const ranked = [...byKernel].sort((a, b) => b[1] - a[1]);
  const rows = [...ranked.slice(0, TOP), ["other kernels", ranked.slice(TOP).reduce((a, [, ms]) => a + ms, 0)]];
  const gmacs = (3 * macs * BATCH) / (stepMs * 1e6);
  rows.forEach(([name, ms], i) => {
    const head = i === 0 ? `| ${net} | ${(macs / 1e6).toFixed(1)} | ${stepMs.toFixed(1)} | ${gmacs.toFixed(1)} |` : "| | | | |";
    console.log(`${head} ${name} | ${ms.toFixed(1)} | ${((100 * ms) / total).toFixed(1)} % |`);
  });
}
