// The AssemblyScript training kernels (packages/distill/assembly), instantiated once per
// wasm backend on that backend's own WebAssembly.Memory: the kernels read and write tensors
// where tfjs keeps them (no copies in or out) and take scratch from the backend's malloc.
// The module declares no data segment (scripts/build-wasm.mjs checks), so instantiating it
// writes nothing into the shared heap. When the memory cannot be shared (the threaded
// build's SharedArrayBuffer heap, a browser's main thread refusing synchronous compiles),
// `trainingKernels` returns undefined and each kernel falls back to the stock one.
import type { TensorInfo } from "@tensorflow/tfjs-core";
import { EmbeddedWasmModule } from "@microexp/infer/internal";
import { TRAINING_WASM_BASE64 } from "./kernels.generated.js";
import type { BackendWasm } from "./wasm-ops.js";

type Ptr = number;

/** The exports of assembly/index.ts; every pointer is a byte offset into the backend's heap. */
export interface TrainingKernels {
  convForward(
    x: Ptr, batch: number, height: number, width: number, channels: number, w: Ptr, filters: number, kh: number, kw: number,
    strideH: number, strideW: number, top: number, left: number, outHeight: number, outWidth: number, bias: Ptr, relu: boolean,
    y: Ptr, scratch: Ptr,
  ): void;
  convForwardInto(
    x: Ptr, batch: number, imageBytes: number, height: number, width: number, channels: number, w: Ptr, filters: number, kh: number, kw: number,
    strideH: number, strideW: number, top: number, left: number, outHeight: number, outWidth: number, bias: Ptr, relu: boolean,
    y: Ptr, dstStep: number, dstRowBytes: number, dstImageBytes: number, scratch: Ptr,
  ): void;
  convFilter(
    x: Ptr, batch: number, height: number, width: number, channels: number, dy: Ptr, filters: number, kh: number, kw: number,
    strideH: number, strideW: number, top: number, left: number, outHeight: number, outWidth: number, dw: Ptr, scratch: Ptr,
  ): void;
  depthwiseFilter(
    x: Ptr, dy: Ptr, batch: number, height: number, width: number, channels: number, kh: number, kw: number,
    strideH: number, strideW: number, top: number, left: number, outHeight: number, outWidth: number, dw: Ptr, scratch: Ptr,
  ): void;
  depthwiseInput(
    dy: Ptr, w: Ptr, batch: number, height: number, width: number, channels: number, kh: number, kw: number,
    strideH: number, strideW: number, top: number, left: number, outHeight: number, outWidth: number, dx: Ptr,
  ): void;
  maxPoolGrad2x2(
    x: Ptr, dy: Ptr, dx: Ptr, batch: number, height: number, width: number, outHeight: number, outWidth: number, channels: number,
  ): void;
  maxPool2x2(x: Ptr, y: Ptr, batch: number, height: number, width: number, outHeight: number, outWidth: number, channels: number): void;
  sumRows(x: Ptr, rows: number, cols: number, out: Ptr, scratch: Ptr): void;
  meanRows(x: Ptr, rows: number, cols: number, out: Ptr, scratch: Ptr): void;
  addBias(x: Ptr, rows: number, cols: number, bias: Ptr, out: Ptr): void;
  pointwiseFilter(x: Ptr, dy: Ptr, rows: number, inChannels: number, outChannels: number, dw: Ptr, scratch: Ptr): void;
  batchNormForward(
    x: Ptr, rows: number, channels: number, gamma: Ptr, beta: Ptr, epsilon: number, y: Ptr, mean: Ptr, variance: Ptr, invStd: Ptr, scratch: Ptr,
  ): void;
  batchNormBackward(
    dy: Ptr, x: Ptr, rows: number, channels: number, mean: Ptr, invStd: Ptr, gamma: Ptr, dx: Ptr, dGamma: Ptr, dBeta: Ptr, scratch: Ptr,
  ): void;
  col2im(
    cols: Ptr, image: Ptr, firstImage: number, images: number, height: number, width: number, channels: number,
    outHeight: number, outWidth: number, kh: number, kw: number, strideH: number, strideW: number, padTop: number, padLeft: number,
  ): void;
}

/** The backend's C allocator (exported by tfjs-wasm's Emscripten module, not in its typings). */
interface Allocator {
  _malloc(bytes: number): number;
  _free(address: number): void;
}

const trainingModule = new EmbeddedWasmModule(TRAINING_WASM_BASE64);
const instances = new WeakMap<BackendWasm, TrainingKernels | null>();

function backendMemory(backend: BackendWasm): WebAssembly.Memory | undefined {
  const memory = (backend.wasm as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  // A shared heap (threaded build) cannot be imported by a module declaring unshared memory.
  if (typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer) return undefined;
  return memory;
}

let enabled = true;

/**
 * Switches the SIMD kernels of assembly/ on or off (on by default); off, every kernel that
 * uses them runs its stock or TypeScript fallback. For benchmarks and tests that compare both.
 */
export function setSimdTrainingKernels(on: boolean): void {
  enabled = on;
}

/** The kernels bound to `backend`'s heap, or undefined when they are off or cannot run there. */
export function trainingKernels(backend: BackendWasm): TrainingKernels | undefined {
  if (!enabled) return undefined;
  const known = instances.get(backend);
  if (known !== undefined) return known ?? undefined;
  let kernels: TrainingKernels | null = null;
  const memory = backendMemory(backend);
  if (memory !== undefined) {
    // Where a synchronous compile is refused or the heap does not fit, the stock kernels run instead.
    const compiled = trainingModule.compileNow();
    try {
      if (compiled) kernels = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as TrainingKernels;
    } catch {
      kernels = null;
    }
  }
  instances.set(backend, kernels);
  return kernels ?? undefined;
}

/** The heap address of a tensor's data. */
export function pointer(backend: BackendWasm, info: TensorInfo): Ptr {
  return backend.getMemoryOffset(info.dataId);
}

/** Runs `use` with `bytes` of scratch from the backend's malloc, freed afterwards. */
export function withScratch<T>(backend: BackendWasm, bytes: number, use: (scratch: Ptr) => T): T {
  const heap = backend.wasm as unknown as Allocator;
  const scratch = heap._malloc(Math.max(16, bytes));
  if (scratch === 0) throw new Error(`@microexp/distill: the wasm backend could not allocate ${bytes} bytes of scratch`);
  try {
    return use(scratch);
  } finally {
    heap._free(scratch);
  }
}
