import { wasmSimdSupported } from "@microexp/infer";
import { DETECT_WASM_BASE64 } from "./kernel.generated.js";

/** The detector kernel's exports (assembly/index.ts); pointers are byte offsets. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  resizeExact(
    src: number, srcWidth: number, srcHeight: number, dst: number, width: number, height: number,
    cols: number, colStart: number, colEnd: number, rows: number, rowStart: number, rowEnd: number, upper: number, lower: number,
  ): void;
  integral(pixels: number, width: number, height: number, sums: number, squares: number, rowBytes: number, shift: number, planeBytes: number): void;
  integral16(pixels: number, width: number, height: number, sums: number, rowBytes: number, shift: number, planeBytes: number): void;
  scanHaar(
    sums: number, squares: number, rowBytes: number, cols: number, rows: number, step: number,
    n0: number, n1: number, n2: number, n3: number, area: number,
    corners: number, floats: number, weights: number, integerWeights: number, links: number, trees: number, leaves: number,
    stages: number, stageCount: number, stumps: number, leafDifferences: number, hits: number, maxHits: number,
  ): number;
  /** The next scans classify fully, and accept, only windows at x >= position (the rest only walk). */
  setKeepFrom(position: number): void;
  scanLbp(
    sums: number, rowBytes: number, cols: number, rows: number, step: number,
    corners: number, subsets: number, leaves: number, stages: number, stageCount: number, leafDifferences: number, hits: number, maxHits: number,
  ): number;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let compiledModule: WebAssembly.Module | undefined;
let compiling: Promise<WebAssembly.Module | undefined> | undefined;

/**
 * Compiles the kernel in the background (browsers refuse synchronous compiles of more than
 * 4 KB on the main thread). Resolves to false where WebAssembly SIMD is missing; the
 * detector then runs its JavaScript path, which gives the same results, slower.
 */
export function prepareKernel(): Promise<boolean> {
  if (compiledModule) return Promise.resolve(true);
  if (!wasmSimdSupported()) return Promise.resolve(false);
  compiling ??= WebAssembly.compile(decodeBase64(DETECT_WASM_BASE64)).then(
    (compiled) => (compiledModule = compiled),
    () => undefined,
  );
  return compiling.then((compiled) => compiled !== undefined);
}

/** A new kernel instance (own memory), or undefined when the kernel is not available yet. */
export function instantiateKernel(): KernelExports | undefined {
  if (!compiledModule) {
    if (!wasmSimdSupported()) return undefined;
    try {
      compiledModule = new WebAssembly.Module(decodeBase64(DETECT_WASM_BASE64));
    } catch {
      void prepareKernel(); // e.g. a browser's main thread: compile asynchronously for next time
      return undefined;
    }
  }
  return new WebAssembly.Instance(compiledModule, {}).exports as unknown as KernelExports;
}
