import { webAssemblyApi } from "./simd-support.js";

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * A WebAssembly module embedded in the JavaScript as base64 (what scripts/build-wasm.mjs
 * generates for infer, face and distill), compiled once per realm. The one loader of the
 * project: `compile()` is asynchronous because browsers refuse synchronous compiles of more
 * than 4 KB on the main thread; `compileNow()` serves callers that cannot wait (a tfjs
 * kernel, a detector called synchronously) where the host allows it.
 */
export class EmbeddedWasmModule {
  private module: WebAssembly.Module | undefined;
  private compiling: Promise<WebAssembly.Module> | undefined;

  constructor(private readonly base64: string) {}

  /** The compiled module; rejects where WebAssembly is missing or refuses it (a later call tries again). */
  compile(): Promise<WebAssembly.Module> {
    if (this.module) return Promise.resolve(this.module);
    if (!this.compiling) {
      const api = webAssemblyApi();
      if (!api) return Promise.reject(new Error("WebAssembly is not available"));
      this.compiling = api.compile(decodeBase64(this.base64)).then(
        (module) => (this.module = module),
        (error: unknown) => {
          this.compiling = undefined;
          throw error;
        },
      );
    }
    return this.compiling;
  }

  /**
   * The compiled module now, or undefined where WebAssembly is missing or a synchronous compile
   * is refused; in that case an asynchronous compile starts, so a later call may get it.
   */
  compileNow(): WebAssembly.Module | undefined {
    if (this.module) return this.module;
    const api = webAssemblyApi();
    if (!api) return undefined;
    try {
      this.module = new api.Module(decodeBase64(this.base64));
      return this.module;
    } catch {
      this.compile().catch(() => undefined);
      return undefined;
    }
  }
}
