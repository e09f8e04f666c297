// Sum for wasm when it reduces every axis but the last (a bias gradient: conv1's is a sum
// over 113,000 rows of 16 channels in MicroExpNet's step). The stock kernel first transposes
// the reduced axes to the end, a full copy; assembly/sum-rows.ts reads the rows in place and
// sums in double precision like the cpu backend. Other reductions go to the stock kernel.
import { Sum, util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from "@tensorflow/tfjs-core";
import { pointer, trainingKernels, withScratch } from "./training-module.js";
import type { WasmKernelArgs } from "./wasm-ops.js";

/** True when `axis` names exactly the axes 0 .. rank - 2 of a tensor of rank >= 2. */
export function reducesAllButLast(shape: readonly number[], axis: number | number[]): boolean {
  if (shape.length < 2) return false;
  const axes = [...new Set(util.parseAxisParam(axis, [...shape]))].sort((a, b) => a - b);
  return axes.length === shape.length - 1 && axes.every((a, i) => a === i);
}

export function sumConfig(stock: KernelConfig): KernelConfig {
  const fallback = stock.kernelFunc;
  const kernelFunc = (args: WasmKernelArgs<SumAttrs>): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: TensorInfo };
    const kernels = trainingKernels(backend);
    if (kernels === undefined || x.dtype !== "float32" || !reducesAllButLast(x.shape, attrs.axis)) {
      return fallback(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const cols = x.shape[x.shape.length - 1];
    const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const out = backend.makeOutput(attrs.keepDims ? [...x.shape.slice(0, -1).map(() => 1), cols] : [cols], "float32");
    if (cols === 0) return out;
    withScratch(backend, cols * 8, (scratch) => kernels.sumRows(pointer(backend, x), rows, cols, pointer(backend, out), scratch));
    return out;
  };
  // Keeps the stock setup: it binds the stock kernel's wasm function, which the fallback calls.
  return { ...stock, kernelName: Sum, backendName: "wasm", kernelFunc: kernelFunc as unknown as KernelFunc };
}
