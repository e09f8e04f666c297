import { wasmSimdSupported } from "@microexp/infer";
import { EmbeddedWasmModule } from "@microexp/infer/internal";
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

const kernel = new EmbeddedWasmModule(DETECT_WASM_BASE64);

/**
 * Compiles the kernel in the background (browsers refuse synchronous compiles of more than
 * 4 KB on the main thread). Resolves to false where WebAssembly SIMD is missing; the
 * detector then runs its JavaScript path, which gives the same results, slower.
 */
export function prepareKernel(): Promise<boolean> {
  if (!wasmSimdSupported()) return Promise.resolve(false);
  // The loader compiles once and hands the same module to every later call.
  return kernel.compile().then(
    () => true,
    () => false,
  );
}

/** A new kernel instance (own memory), or undefined when the kernel is not available yet. */
export function instantiateKernel(): KernelExports | undefined {
  if (!wasmSimdSupported()) return undefined;
  // Where a synchronous compile is refused (a browser's main thread), this starts one in the background for next time.
  const compiled = kernel.compileNow();
  return compiled && (new WebAssembly.Instance(compiled, {}).exports as unknown as KernelExports);
}
