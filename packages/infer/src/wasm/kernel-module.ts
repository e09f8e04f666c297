import { EmbeddedWasmModule } from "./embedded-module.js";
import { KERNEL_WASM_BASE64 } from "./kernel.generated.js";

const kernel = new EmbeddedWasmModule(KERNEL_WASM_BASE64);

/** The runtime's kernel (assembly/), compiled once per realm. */
export function compileKernel(): Promise<WebAssembly.Module> {
  return kernel.compile();
}
