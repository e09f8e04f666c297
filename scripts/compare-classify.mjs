// classify(), the paper's single crop, from two source trees of @microexp/infer in one process,
// interleaved (each round times both once): a change's before and after, measured under the
// same load. Each tree's src/wasm/kernel.generated.ts must be built. The network: MicroExpNet's
// default weights, or with --dsnet dsnet with random weights (the after tree's test/graphs.ts).
// Usage: node scripts/compare-classify.mjs [--dsnet] <before packages/infer> <after packages/infer>
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import sharp from "sharp";

const dsnet = process.argv.includes("--dsnet");
const [beforeDir, afterDir] = process.argv.slice(2).filter((a) => !a.startsWith("--")).map((d) => resolve(d));
if (!beforeDir || !afterDir) {
  console.error("usage: node scripts/compare-classify.mjs <before packages/infer> <after packages/infer>");
  process.exit(2);
}
async function load(dir) {
  const bundle = await build({
    stdin: { contents: `export * from "./src/index.ts";\nexport { dsnetGraph, randomGraphNetwork } from ${JSON.stringify(join(afterDir, "test/graphs.ts"))};`, resolveDir: dir, loader: "ts" },
    bundle: true, format: "esm", platform: "neutral", write: false,
  });
  return import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].contents).toString("base64")}`);
}
const trees = { before: await load(beforeDir), after: await load(afterDir) };
const face = await sharp(join(afterDir, "test/fixtures/astronaut-face.jpg")).ensureAlpha().raw().toBuffer();
const frame = { width: 640, height: 480, data: new Uint8ClampedArray(640 * 480 * 4).fill(128) };
for (let y = 0; y < 200; y++) frame.data.set(face.subarray(y * 800, (y + 1) * 800), ((140 + y) * 640 + 220) * 4);
const box = { x: 220, y: 140, width: 200, height: 200 };
const weights = dsnet
  ? trees.after.encodeWeights(trees.after.randomGraphNetwork(trees.after.dsnetGraph(7), 1), { labels: ["a", "b", "c", "d", "e", "f", "g"] })
  : readFileSync(join(afterDir, "weights/microexpnet-fer2013.mxw"));
const run = {};
for (const [name, lib] of Object.entries(trees)) {
  const classifier = await lib.ExpressionClassifier.create(weights, { engine: "wasm" });
  run[name] = () => classifier.classify(frame, box, { crops: "single" });
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
for (const f of Object.values(run)) for (let i = 0; i < (dsnet ? 60 : 300); i++) f();
const times = { before: [], after: [] };
const calls = dsnet ? 8 : 40;
for (let round = 0; round < 41; round++) {
  for (const [name, f] of round % 2 ? Object.entries(run) : Object.entries(run).reverse()) {
    const start = performance.now();
    for (let c = 0; c < calls; c++) f();
    times[name].push((performance.now() - start) / calls);
  }
}
console.log(`${dsnet ? "dsnet (random weights)" : "MicroExpNet"} classify(), single crop, wasm engine; ms per face, medians of 41 interleaved rounds of ${calls} calls`);
console.log(`| before (${beforeDir}) | after (${afterDir}) |`);
console.log("|---|---|");
console.log(`| ${median(times.before).toFixed(3)} | ${median(times.after).toFixed(3)} |`);
