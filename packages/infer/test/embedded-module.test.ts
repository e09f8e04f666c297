// The one loader of the project's embedded WebAssembly modules (infer's, face's and distill's).
import { describe, expect, it } from "vitest";
import { EmbeddedWasmModule } from "../src/internal.js";
import { KERNEL_WASM_BASE64 } from "../src/wasm/kernel.generated.js";

/** The smallest valid module: magic and version only. */
const EMPTY_MODULE = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]).toString("base64");
const NOT_A_MODULE = Buffer.from("not wasm").toString("base64");

describe("EmbeddedWasmModule", () => {
  it("compiles once, asynchronously or now, and hands out the same module", async () => {
    const loader = new EmbeddedWasmModule(KERNEL_WASM_BASE64);
    const first = await loader.compile();
    expect(WebAssembly.Module.exports(first).length).toBeGreaterThan(10);
    expect(await loader.compile()).toBe(first);
    expect(loader.compileNow()).toBe(first);
    const now = new EmbeddedWasmModule(EMPTY_MODULE).compileNow();
    expect(now).toBeInstanceOf(WebAssembly.Module);
  });

  it("rejects bytes that are no module, and tries again on the next call", async () => {
    const loader = new EmbeddedWasmModule(NOT_A_MODULE);
    await expect(loader.compile()).rejects.toThrow(WebAssembly.CompileError);
    await expect(loader.compile()).rejects.toThrow(WebAssembly.CompileError);
    expect(loader.compileNow()).toBeUndefined();
  });
});
