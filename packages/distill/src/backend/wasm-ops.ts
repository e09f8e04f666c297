// Typed helpers that run the wasm backend's own kernels directly (no engine, no gradient
// tape), so our kernels can be composed from XNNPACK-backed building blocks. Every
// TensorInfo they return belongs to the caller, who releases it with `release`.
import { getKernel, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

export type { BackendWasm };

/** What tfjs passes to every kernel function, with the backend typed as wasm. */
export interface WasmKernelArgs<Attrs> {
  inputs: NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: Attrs;
}

export function runWasmKernel(backend: BackendWasm, kernelName: string, inputs: NamedTensorInfoMap, attrs: object = {}): TensorInfo {
  const kernel = getKernel(kernelName, "wasm") as ReturnType<typeof getKernel> | undefined;
  if (kernel === undefined) throw new Error(`@microexp/distill: the wasm backend has no "${kernelName}" kernel`);
  const out = kernel.kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap });
  if (Array.isArray(out)) throw new Error(`@microexp/distill: wasm kernel "${kernelName}" returned ${out.length} outputs, expected 1`);
  return out;
}

/** Frees intermediates; a TensorInfo that is also an input or the result must not be passed. */
export function release(backend: BackendWasm, ...infos: Array<TensorInfo | undefined>): void {
  for (const info of infos) if (info !== undefined) backend.disposeData(info.dataId);
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasmKernel(backend, "Transpose", { x }, { perm });
}

export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasmKernel(backend, "Reshape", { x }, { shape });
}

export function slice(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return runWasmKernel(backend, "Slice", { x }, { begin, size });
}

/** [a] x [b] with no transposes, the only form the wasm backend runs through XNNPACK. */
export function matMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  return runWasmKernel(backend, "BatchMatMul", { a, b }, { transposeA: false, transposeB: false });
}

/** A float32 output whose heap memory is zeroed (makeOutput alone leaves it uninitialised). */
export function zeros(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, "float32");
  heapF32(backend, out).fill(0);
  return out;
}

/**
 * A Float32Array view of a tensor on the wasm heap. Any allocation can grow the heap and
 * detach earlier views, so take views only after the last allocation that precedes their use.
 */
export function heapF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

export function assertFloat32(kernelName: string, inputs: Record<string, TensorInfo>): void {
  for (const [name, info] of Object.entries(inputs)) {
    if (info.dtype !== "float32") {
      throw new Error(`@microexp/distill: wasm ${kernelName} needs float32 "${name}", got ${info.dtype}`);
    }
  }
}
