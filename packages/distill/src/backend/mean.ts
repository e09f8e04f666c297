// Mean for wasm when it reduces every axis but the last: batch norm's moments over N, H, W
// of an NHWC activation (tf.moments, twice per layer and step in training). The stock kernel
// first transposes the reduced axes to the end, a full copy;
// assembly/sum-rows.ts reads the rows in place, sums in double precision like the cpu
// backend and divides once. Other reductions and dtypes go to the stock kernel.
import { Mean, type KernelConfig, type KernelFunc, type MeanAttrs, type TensorInfo } from "@tensorflow/tfjs-core";
import { reducesAllButLast } from "./sum.js";
import { pointer, trainingKernels, withScratch } from "./training-module.js";
import type { WasmKernelArgs } from "./wasm-ops.js";

export function meanConfig(stock: KernelConfig): KernelConfig {
  const fallback = stock.kernelFunc;
  const kernelFunc = (args: WasmKernelArgs<MeanAttrs>): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: TensorInfo };
    const kernels = trainingKernels(backend);
    const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    // No rows: the mean is 0 / 0, which the stock kernel answers.
    if (kernels === undefined || x.dtype !== "float32" || !reducesAllButLast(x.shape, attrs.axis) || rows === 0) {
      return fallback(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const cols = x.shape[x.shape.length - 1];
    const out = backend.makeOutput(attrs.keepDims ? [...x.shape.slice(0, -1).map(() => 1), cols] : [cols], "float32");
    if (cols === 0) return out;
    withScratch(backend, cols * 8, (scratch) => kernels.meanRows(pointer(backend, x), rows, cols, pointer(backend, out), scratch));
    return out;
  };
  // Keeps the stock setup: it binds the stock kernel's wasm function, which the fallback calls.
  return { ...stock, kernelName: Mean, backendName: "wasm", kernelFunc: kernelFunc as unknown as KernelFunc };
}
