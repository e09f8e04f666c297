import { KERNEL_WASM_BASE64 } from "./kernel.generated.js";
import { webAssemblyApi } from "./simd-support.js";

let compiled: Promise<WebAssembly.Module> | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Compiles the embedded kernel once per realm. Asynchronous on purpose: browsers refuse
 * synchronous compiles of more than 4 KB on the main thread.
 */
export function compileKernel(): Promise<WebAssembly.Module> {
  if (!compiled) {
    const api = webAssemblyApi();
    if (!api) return Promise.reject(new Error("WebAssembly is not available"));
    compiled = api.compile(decodeBase64(KERNEL_WASM_BASE64));
    compiled.catch(() => (compiled = undefined)); // let a later call retry
  }
  return compiled;
}
