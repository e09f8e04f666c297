// Quick micro-benchmark of the forward pass: JS engine vs WebAssembly SIMD engine.
// Usage: node bench/kernel.mjs [architecture, default microexpnet]
// Prints medians: ms per face single-image, faces/s at batch 64, and effective GFLOP/s
// (2 * the direct convolution's multiply-adds / time; the wasm engine's Winograd convolutions
// do fewer arithmetic operations than that).
// Bundles src/ in memory with esbuild, so it measures the sources as they are now (no dist needed).
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
execFileSync("npm", ["run", "-s", "build:wasm"], { cwd: packageDir, stdio: "ignore" });
const bundle = await build({
  stdin: {
    contents: `export { describeArchitecture, tensorShapes, multiplyAdds } from "./src/architecture.ts";
      export { familyNetwork } from "./src/graph/family.ts";
      export { createJsEngine } from "./src/forward-js.ts";
      export { createWasmEngine } from "./src/wasm/engine-wasm.ts";`,
    resolveDir: packageDir, loader: "ts",
  },
  bundle: true, format: "esm", platform: "neutral", write: false,
});
const lib = await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].contents).toString("base64")}`);

const architecture = process.argv[2] ?? "microexpnet";
const spec = lib.describeArchitecture(architecture);
let seed = 42;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const tensors = {};
for (const [name, shape] of Object.entries(lib.tensorShapes(spec))) {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const receptive = shape.length === 4 ? shape[0] * shape[1] : 1;
  const limit = shape.length === 1 ? 0.5 : Math.sqrt(6 / (receptive * (shape.at(-2) + shape.at(-1))));
  for (let i = 0; i < values.length; i++) values[i] = (2 * random() - 1) * limit;
  tensors[name] = values;
}
const network = lib.familyNetwork(spec, tensors);
const pixels = spec.inputSize ** 2;
const images = new Float32Array(64 * pixels).map(() => random() * 255);
const single = images.subarray(0, pixels);

/** Median over `rounds` of the time per call, each round timing `calls` calls. */
function medianMs(run, rounds, calls) {
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let c = 0; c < calls; c++) run();
    times.push((performance.now() - start) / calls);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const flop = 2 * lib.multiplyAdds(spec);
const engines = [
  ["js", lib.createJsEngine(network), { rounds: 7, calls: 5 }, { rounds: 3, calls: 1 }],
  ["wasm", await lib.createWasmEngine(network), { rounds: 21, calls: 100 }, { rounds: 11, calls: 3 }],
];
console.log(`${spec.id}: ${(flop / 2 / 1e6).toFixed(2)} M multiply-adds per face; medians`);
console.log("| engine | ms/face (batch 1) | effective GFLOP/s | faces/s (batch 64) | effective GFLOP/s |");
console.log("|---|---|---|---|---|");
for (const [name, engine, one, many] of engines) {
  for (let i = 0; i < 300 && (name === "wasm" || i < 20); i++) engine.forward(single, 1); // warm up (tier-up)
  engine.forward(images, 64);
  const msOne = medianMs(() => engine.forward(single, 1), one.rounds, one.calls);
  const msBatch = medianMs(() => engine.forward(images, 64), many.rounds, many.calls) / 64;
  const gflops = (ms) => (flop / (ms * 1e6)).toFixed(1);
  console.log(`| ${name} | ${msOne.toFixed(4)} | ${gflops(msOne)} | ${Math.round(1000 / msBatch)} | ${gflops(msBatch)} |`);
}
