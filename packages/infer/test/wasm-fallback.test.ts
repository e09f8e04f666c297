import { afterEach, describe, expect, it, vi } from "vitest";
import type { NetworkWeights, TensorName } from "../src/architecture.js";
import { describeArchitecture, tensorShapes } from "../src/architecture.js";
import { familyNetwork } from "../src/graph/family.js";
import { createJsEngine } from "../src/forward-js.js";

/** A fresh copy of the wasm modules, so a stubbed WebAssembly is seen from the first call on. */
async function freshWasmModule() {
  vi.resetModules();
  return import("../src/wasm/engine-wasm.js");
}

function smallNetwork(numClasses = 8): NetworkWeights {
  const spec = describeArchitecture("microexpnet", numClasses);
  const tensors = {} as Record<TensorName, Float32Array>;
  let k = 0;
  for (const [name, shape] of Object.entries(tensorShapes(spec)) as [TensorName, number[]][]) {
    tensors[name] = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.sin(++k) * 0.05);
  }
  return familyNetwork(spec, tensors);
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("wasm engine fallback", () => {
  it("resolves null without WebAssembly, and the caller's JS fallback then runs", async () => {
    vi.stubGlobal("WebAssembly", undefined);
    const { createWasmEngine, wasmSimdSupported } = await freshWasmModule();
    expect(wasmSimdSupported()).toBe(false);
    const network = smallNetwork();
    const engine = (await createWasmEngine(network)) ?? createJsEngine(network);
    expect(engine.kind).toBe("js");
    expect(engine.forward(new Float32Array(84 * 84).fill(100), 1)).toHaveLength(8);
  });

  it("resolves null where WebAssembly has no SIMD", async () => {
    const noSimd = Object.assign(Object.create(WebAssembly) as typeof WebAssembly, { validate: () => false });
    vi.stubGlobal("WebAssembly", noSimd);
    const { createWasmEngine, wasmSimdSupported } = await freshWasmModule();
    expect(wasmSimdSupported()).toBe(false);
    await expect(createWasmEngine(smallNetwork())).resolves.toBeNull();
  });

  it("resolves null when the kernel does not compile, and compiles on a later call", async () => {
    const failing = Object.assign(Object.create(WebAssembly) as typeof WebAssembly, {
      compile: () => Promise.reject(new WebAssembly.CompileError("simulated")),
    });
    vi.stubGlobal("WebAssembly", failing);
    const { createWasmEngine } = await freshWasmModule();
    await expect(createWasmEngine(smallNetwork())).resolves.toBeNull();
    vi.unstubAllGlobals();
    const engine = await createWasmEngine(smallNetwork());
    expect(engine?.kind).toBe("wasm");
  });
});

describe("wasm engine API", () => {
  it("reports SIMD support in Node 20", async () => {
    const { wasmSimdSupported } = await freshWasmModule();
    expect(wasmSimdSupported()).toBe(true);
  });

  it("throws a clear error for a wrong input length or batch", async () => {
    const { createWasmEngine } = await freshWasmModule();
    const engine = (await createWasmEngine(smallNetwork()))!;
    expect(() => engine.forward(new Float32Array(100), 1)).toThrow("forward: expected 1 x 7056 input values, got 100");
    expect(() => engine.forward(new Float32Array(7056), 2)).toThrow("forward: expected 2 x 7056 input values, got 7056");
    expect(() => engine.forward(new Float32Array(7056), 1.5)).toThrow("forward: batch must be a non-negative integer, got 1.5");
    expect(engine.forward(new Float32Array(0), 0)).toEqual(new Float32Array(0));
  });

  it("reads the network from its graph: a spec that says otherwise is refused", async () => {
    const { createWasmEngine } = await freshWasmModule();
    const network = { ...smallNetwork(), spec: describeArchitecture("p2-S") };
    await expect(createWasmEngine(network)).rejects.toThrow("createWasmEngine: cannot run network p12-XXS: its spec says p2-S, its graph is p12-XXS");
  });

  it("rejects a network whose tensors do not match its architecture", async () => {
    const { createWasmEngine } = await freshWasmModule();
    const network = smallNetwork();
    network.tensors.wc2 = new Float32Array(10);
    await expect(createWasmEngine(network)).rejects.toThrow(
      "createWasmEngine: cannot run network p12-XXS: tensor wc2 has 10 values, expected 8192 (4x4x16x32)",
    );
  });

  it("keeps engines independent (each has its own memory)", async () => {
    const { createWasmEngine } = await freshWasmModule();
    const a = smallNetwork(8);
    const specB = describeArchitecture("v-M", 7);
    const tensorsB = {} as Record<TensorName, Float32Array>;
    for (const [name, shape] of Object.entries(tensorShapes(specB)) as [TensorName, number[]][]) {
      tensorsB[name] = Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => Math.cos(i) * 0.03);
    }
    const b = familyNetwork(specB, tensorsB);
    const [wasmA, wasmB] = await Promise.all([createWasmEngine(a), createWasmEngine(b)]);
    const image = Float32Array.from({ length: 84 * 84 }, (_, i) => (i * 7) % 256);
    const first = wasmA!.forward(image, 1);
    const other = wasmB!.forward(image, 1);
    expect(wasmA!.forward(image, 1)).toEqual(first);
    const [jsA, jsB] = [createJsEngine(a).forward(image, 1), createJsEngine(b).forward(image, 1)];
    for (let i = 0; i < 8; i++) expect(Math.abs(first[i] - jsA[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(jsA[i])));
    for (let i = 0; i < 7; i++) expect(Math.abs(other[i] - jsB[i])).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(jsB[i])));
  });
});
