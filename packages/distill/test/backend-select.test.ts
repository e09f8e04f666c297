// selectBackend: the auto order (tfjs-node, wasm, cpu), explicit choices, clear errors,
// idempotency, and the built ESM and CJS files finding tfjs-backend-wasm's .wasm binaries.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { build } from "tsup";
import { afterAll, describe, expect, it } from "vitest";
import {
  registerWasmTrainingKernels, selectBackend, WASM_TRAINING_KERNELS, wasmTrainingKernelsRegistered, type BackendInfo,
} from "../src/backend/index.js";

const require = createRequire(import.meta.url);
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function resolvable(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

const hasTfjsNode = resolvable("@tensorflow/tfjs-node");

describe("selectBackend", () => {
  it("auto: tfjs-node when installed, else wasm with the training kernels", async () => {
    const info = await selectBackend();
    expect(info.tfjsVersion).toBe(tf.version_core);
    expect(tf.getBackend()).toBe(info.name);
    if (hasTfjsNode) {
      expect(info.name).toBe("tensorflow");
    } else {
      expect(info).toMatchObject({ name: "wasm", customKernels: true, threads: 1, backendVersion: "4.22.0" });
      expect(info.customKernelNames).toEqual(WASM_TRAINING_KERNELS);
      expect(info.skipped).toHaveLength(1);
      expect(info.skipped[0].backend).toBe("node");
      expect(info.skipped[0].reason).toMatch(/tfjs-node/);
    }
  });

  it.skipIf(hasTfjsNode)("node: a clear error when @tensorflow/tfjs-node is not installed", async () => {
    await expect(selectBackend("node")).rejects.toThrow(/backend "node" needs @tensorflow\/tfjs-node.*npm install @tensorflow\/tfjs-node/);
  });

  it("cpu: the plain JS backend, no custom kernels", async () => {
    const info = await selectBackend("cpu");
    expect(info).toMatchObject({ name: "cpu", customKernels: false, customKernelNames: [], threads: 1, skipped: [] });
    expect(tf.getBackend()).toBe("cpu");
  });

  it("rejects an unknown name, listing the valid ones", async () => {
    await expect(selectBackend("gpu" as never)).rejects.toThrow(/unknown backend "gpu".*auto, node, wasm, cpu/);
  });

  it("is idempotent: same answer, kernels registered once", async () => {
    const first = await selectBackend("wasm");
    const kernels = WASM_TRAINING_KERNELS.map((name) => tf.getKernel(name, "wasm"));
    registerWasmTrainingKernels();
    const second: BackendInfo = await selectBackend("wasm");
    expect(second).toEqual(first);
    expect(WASM_TRAINING_KERNELS.map((name) => tf.getKernel(name, "wasm"))).toEqual(kernels);
    expect(WASM_TRAINING_KERNELS.every((name, i) => tf.getKernel(name, "wasm") === kernels[i])).toBe(true);
    expect(wasmTrainingKernelsRegistered()).toBe(true);
    // A transposed product still goes through the wrapped stock kernel exactly once.
    const a = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const product = tf.matMul(a, a, true, false);
    expect(Array.from(product.dataSync())).toEqual([35, 44, 44, 56]);
    tf.dispose([a, product]);
  });
});

describe("built ESM and CJS files", () => {
  const outDir = mkdtempSync(join(tmpdir(), "microexp-distill-backend-"));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  // Gradient of sum(conv2d(x, w)) for x = w = ones: exercises Conv2DBackpropFilter.
  const probe = `
    const tf = require("@tensorflow/tfjs-core");
    const x = tf.ones([2, 9, 9, 3]);
    const w = tf.ones([3, 3, 3, 4]);
    const g = tf.grad((f) => tf.sum(tf.conv2d(x, f, 2, "same")))(w);
    return { name: info.name, customKernels: info.customKernels, grad: Array.from(g.dataSync()) };`;

  function run(file: string, source: string): { name: string; customKernels: boolean; grad: number[] } {
    writeFileSync(join(outDir, file), source);
    const stdout = execFileSync(process.execPath, [join(outDir, file)], { cwd: outDir, encoding: "utf8", timeout: 60_000 });
    return JSON.parse(stdout.trim().split("\n").pop() ?? "");
  }

  it("find the .wasm files and register the kernels, alone and together", async () => {
    await build({
      entry: { index: join(packageRoot, "src/backend/index.ts") },
      format: ["esm", "cjs"], target: "es2022", outDir, dts: false, silent: true, config: false,
      external: [/^@tensorflow\//],
    });
    // Resolve @tensorflow/* from the temporary folder the way an installed package would.
    symlinkSync(resolve(dirname(require.resolve("@tensorflow/tfjs-core/package.json")), "../.."), join(outDir, "node_modules"), "dir");

    const esm = run("esm.mjs", `
      import { createRequire } from "node:module";
      const require = createRequire(import.meta.url);
      const { selectBackend } = await import("./index.js");
      const info = await selectBackend("wasm");
      console.log(JSON.stringify((() => { ${probe} })()));`);
    const cjs = run("cjs.cjs", `
      const { selectBackend } = require("./index.cjs");
      selectBackend("wasm").then((info) => console.log(JSON.stringify((() => { ${probe} })())));`);
    const both = run("both.mjs", `
      import { createRequire } from "node:module";
      const require = createRequire(import.meta.url);
      const esm = await import("./index.js");
      const cjs = require("./index.cjs");
      await esm.selectBackend("wasm");
      const info = await cjs.selectBackend("wasm");
      if (!esm.wasmTrainingKernelsRegistered()) throw new Error("ESM copy sees foreign kernels");
      console.log(JSON.stringify((() => { ${probe} })()));`);

    await selectBackend("cpu");
    const x = tf.ones([2, 9, 9, 3]) as tf.Tensor4D;
    const w = tf.ones([3, 3, 3, 4]);
    const expected = Array.from(tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 2, "same")))(w).dataSync());
    for (const result of [esm, cjs, both]) {
      expect(result).toMatchObject({ name: "wasm", customKernels: true });
      expect(result.grad).toEqual(expected);
    }
  });
});

describe("usage example (the README's backend section)", () => {
  it("runs", async () => {
    // --- example start
    const backend = await selectBackend(); // or "node" | "wasm" | "cpu", e.g. from a --backend flag
    console.log(`training on ${backend.name} (tfjs ${backend.tfjsVersion}, ${backend.threads} thread(s)` +
      `${backend.customKernels ? `, custom kernels: ${backend.customKernelNames.join(", ")}` : ""})`);
    // --- example end
    expect(tf.getBackend()).toBe(backend.name);
  });
});
