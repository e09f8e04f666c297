// classify() from a face box in a 640x480 RGBA frame, split into crop and network, for each
// crop policy; the cost of a new box size; then batch 1 against batch 64 per face. Baselines run in the same process,
// interleaved with what they are compared to (each round times every variant once), and the
// tables print medians over the rounds.
// Then every shipped model (the default marked), and what each crop policy costs each.
// Usage: node bench/classify.mjs (about 40 s). Bundles src/ in memory with esbuild, so it
// measures the sources as they are now (no dist needed).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

// The rows below are about the paper's single crop, whatever the default policy is.
const SINGLE = { crops: "single" };
const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
execFileSync("npm", ["run", "-s", "build:wasm"], { cwd: packageDir, stdio: "ignore" });
const bundle = await build({
  stdin: {
    contents: `export * from "./src/index.ts";
      export { createWasmCropper } from "./src/wasm/crop-wasm.ts";`,
    resolveDir: packageDir, loader: "ts",
  },
  bundle: true, format: "esm", platform: "neutral", write: false,
});
const lib = await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].contents).toString("base64")}`);

// The frame: the 200x200 fixture face pasted at (220, 140) into a gray 640x480 RGBA frame.
const face = await sharp(join(packageDir, "test/fixtures/astronaut-face.jpg")).ensureAlpha().raw().toBuffer();
const frame = { width: 640, height: 480, data: new Uint8ClampedArray(640 * 480 * 4).fill(128) };
for (let y = 0; y < 200; y++) frame.data.set(face.subarray(y * 800, (y + 1) * 800), ((140 + y) * 640 + 220) * 4);
const box = { x: 220, y: 140, width: 200, height: 200 };
// 64 faces for the batch rows: boxes of 180..243 pixels around the face (video-like sizes).
const boxes = Array.from({ length: 64 }, (_, i) => ({ x: 230 - (i >> 1), y: 150 - (i >> 1), width: 180 + i, height: 180 + i }));

const weights = readFileSync(join(packageDir, "weights/microexpnet-fer2013.mxw"));
const classifier = await lib.ExpressionClassifier.create(weights, { engine: "wasm" });
const engine = await lib.createWasmEngine(lib.decodeWeights(weights).network);
const wasmCropper = await lib.createWasmCropper();
const pixels = lib.INPUT_SIZE ** 2;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** ms per call of each variant: `rounds` rounds, each timing `calls` calls of every variant in turn. */
function interleaved(variants, rounds, calls) {
  for (const run of Object.values(variants)) for (let i = 0; i < 50; i++) run(); // warm up (tier-up)
  const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(variants)) {
      const start = performance.now();
      for (let c = 0; c < calls; c++) run();
      times[name].push((performance.now() - start) / calls);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, t]) => [name, median(t)]));
}

const ms = (v) => v.toFixed(3);
console.log(`classify() from a ${box.width}x${box.height} face box in a 640x480 RGBA frame; MicroExpNet (${classifier.weights.model.name}), wasm engine, one thread; ms per face, medians`);
console.log("| crop policy | inputs | crop, TypeScript (before) | crop, WebAssembly | network | classify() | before: TypeScript crop + network |");
console.log("|---|---|---|---|---|---|---|");
for (const policy of lib.CROP_POLICIES) {
  const { count } = lib.cropPolicyShape(policy);
  const inputs = new Float32Array(count * pixels);
  wasmCropper.cropInto(frame, box, policy, inputs, 0);
  const rounds = count > 2 ? 15 : 31, calls = count > 2 ? 10 : 40;
  const t = interleaved({
    cropJs: () => lib.jsCropper.cropInto(frame, box, policy, inputs, 0),
    cropWasm: () => wasmCropper.cropInto(frame, box, policy, inputs, 0),
    network: () => engine.forward(inputs, count),
    classify: () => classifier.classify(frame, box, { crops: policy }),
    before: () => {
      lib.jsCropper.cropInto(frame, box, policy, inputs, 0);
      classifier.classifyInputs(inputs, count);
    },
  }, rounds, calls);
  console.log(`| ${policy} | ${count} | ${ms(t.cropJs)} | ${ms(t.cropWasm)} | ${ms(t.network)} | ${ms(t.classify)} | ${ms(t.before)} |`);
}

// A tracked face changes size from frame to frame: each new size needs its own crop plan (the
// cropper keeps the last 64). 100 sizes in turn, so that every call plans.
const sizes = Array.from({ length: 100 }, (_, i) => ({ x: 220 - (i >> 2), y: 140 - (i >> 2), width: 170 + i, height: 170 + i }));
let next = 0;
const moving = interleaved({
  same: () => classifier.classify(frame, box, SINGLE),
  changing: () => classifier.classify(frame, sizes[(next = (next + 1) % sizes.length)], SINGLE),
}, 31, 40);
console.log(`\nclassify(), the paper's single crop: the same box every call ${ms(moving.same)} ms, a new box size every call (170..269 pixels) ${ms(moving.changing)} ms; medians`);

// Batches: classifyFaces and engine.forward run 64 faces in chunks (CHUNK_INPUTS, WASM_MAX_CHUNK);
// the baseline is the same 64 faces one call each.
const stacked = new Float32Array(64 * pixels);
boxes.forEach((b, i) => wasmCropper.cropInto(frame, b, "single", stacked, i * pixels));
const batch = interleaved({
  one: () => { for (const b of boxes) classifier.classify(frame, b, SINGLE); },
  many: () => classifier.classifyFaces(frame, boxes, SINGLE),
  networkOne: () => { for (let i = 0; i < 64; i++) engine.forward(stacked.subarray(i * pixels, (i + 1) * pixels), 1); },
  networkMany: () => engine.forward(stacked, 64),
}, 21, 2);
console.log(`\nBatch 1 against batch 64, the paper's single crop, 64 boxes of 180..243 pixels in the frame; ms per face, medians`);
console.log("| | batch 1 (64 calls) | batch 64 (one call) |");
console.log("|---|---|---|");
console.log(`| crop + network: classify() / classifyFaces() | ${ms(batch.one / 64)} | ${ms(batch.many / 64)} |`);
console.log(`| network only: engine.forward() | ${ms(batch.networkOne / 64)} | ${ms(batch.networkMany / 64)} |`);

// Every shipped model (lib.MODEL_ZOO), the default marked: family members run on the Winograd
// kernels, other graphs (dsnet) on the graph plan; all from the same frame and box, interleaved.
const crop = new Float32Array(pixels);
wasmCropper.cropInto(frame, box, "single", crop, 0);
const shipped = [];
for (const [name, { file }] of Object.entries(lib.MODEL_ZOO)) {
  const bytes = readFileSync(join(packageDir, "weights", file));
  const model = await lib.ExpressionClassifier.create(bytes, { engine: "wasm" });
  const modelEngine = await lib.createWasmEngine(lib.decodeWeights(bytes).network);
  const kernels = lib.isArchitectureId(lib.decodeWeights(bytes).network.graph.name) ? "Winograd kernels" : "graph plan";
  shipped.push({ label: `${name}${name === lib.DEFAULT_MODEL ? ", the default" : ""} (${kernels})`, name, model, modelEngine });
}
const nets = interleaved(Object.fromEntries(shipped.flatMap(({ name, model, modelEngine }) => [
  [`${name} classify`, () => model.classify(frame, box, SINGLE)],
  [`${name} network`, () => modelEngine.forward(crop, 1)],
])), 21, 20);
const gmacs = (network, t) => (lib.graphMultiplyAdds(network.graph) / (t * 1e6)).toFixed(1);
console.log(`\nThe shipped networks, wasm engine, the paper's single crop; ms per face, medians; GMAC/s = the graph's multiply-adds / network time`);
console.log("| network | multiply-adds | classify() | network only | GMAC/s |");
console.log("|---|---|---|---|---|");
for (const { label, name, modelEngine } of shipped) {
  const t = nets[`${name} network`];
  console.log(`| ${label} | ${(lib.graphMultiplyAdds(modelEngine.network.graph) / 1e6).toFixed(2)} M | ${ms(nets[`${name} classify`])} | ${ms(t)} | ${gmacs(modelEngine.network, t)} |`);
}

// Each shipped model's cost under every crop policy (what the cards' tables quote), interleaved:
// classify() from the same frame and box.
const policyCost = interleaved(Object.fromEntries(lib.CROP_POLICIES.flatMap((policy) =>
  shipped.map(({ name, model }) => [`${name} ${policy}`, () => model.classify(frame, box, { crops: policy })]))), 11, 4);
console.log(`\nclassify() under each crop policy, from the same ${box.width}x${box.height} box in the 640x480 frame, wasm engine, one thread; ms per face, medians`);
console.log(`| crop policy | inputs | ${shipped.map(({ label }) => label).join(" | ")} |`);
console.log(`|---|---|${shipped.map(() => "---|").join("")}`);
for (const policy of lib.CROP_POLICIES) {
  console.log(`| ${policy} | ${lib.cropPolicyShape(policy).count} | ${shipped.map(({ name }) => ms(policyCost[`${name} ${policy}`])).join(" | ")} |`);
}
